//! Connection reuse: sequential requests share one kept-alive connection (a counting TCP
//! relay sits between the client and the sandbox).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::client_support::{all_rows, config, sandbox};
use autotask_mcp::autotask::{AutotaskClient, ReadIntent};
use tokio::net::{TcpListener, TcpStream};

/// Relays 127.0.0.1:<returned port> to `target`, counting accepted connections.
async fn counting_relay(target: std::net::SocketAddr) -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                if let Ok(mut outbound) = TcpStream::connect(target).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    (port, accepted)
}

#[tokio::test]
async fn sequential_requests_reuse_one_connection() {
    let sandbox = sandbox().await;
    let base = url::Url::parse(&sandbox.base_url()).unwrap();
    let target = format!("{}:{}", base.host_str().unwrap(), base.port().unwrap())
        .parse()
        .unwrap();
    let (port, accepted) = counting_relay(target).await;
    let mut config = config(&sandbox);
    config.api_url = Some(format!("http://127.0.0.1:{port}/ATServicesRest/"));
    let client = AutotaskClient::new(config).unwrap();
    for _ in 0..20 {
        client
            .count("Companies", &all_rows(), ReadIntent::Explicit)
            .await
            .unwrap();
    }
    let received = sandbox.stats().count(Some("POST"), "/query/count");
    assert_eq!(received, 20);
    // 20 counts and a budget read over one connection (two, should the server close one).
    let connections = accepted.load(Ordering::SeqCst);
    assert!(
        (1..=2).contains(&connections),
        "{connections} connections for 21 requests"
    );
}
