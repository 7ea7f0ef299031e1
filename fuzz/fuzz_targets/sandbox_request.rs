//! The sandbox's request pipeline without a socket: routing (any path, any casing), fault
//! rules, authentication, throttle, and every handler, on the seeded demo tenant. Input is
//! text: `METHOD URI` on the first line, the body after it. The API user's credentials are
//! sent unless the method starts with `!`. The tenant is reseeded every 2,000 requests so
//! writes do not pile up. Oracle: no panic, and every answer is a 2xx/4xx/5xx with a body
//! that is JSON whenever it is not empty.
#![no_main]

use std::sync::{Mutex, OnceLock};

use autotask_mcp::sandbox::fuzzing::Tenant;
use libfuzzer_sys::fuzz_target;

struct State {
    runtime: tokio::runtime::Runtime,
    tenant: Mutex<(Tenant, u32)>,
}

fn state() -> &'static State {
    static STATE: OnceLock<State> = OnceLock::new();
    STATE.get_or_init(|| State {
        runtime: tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime"),
        tenant: Mutex::new((Tenant::new(42), 0)),
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (line, body) = text.split_once('\n').unwrap_or((text, ""));
    let Some((method, uri)) = line.split_once(' ') else {
        return;
    };
    let (method, anonymous) = match method.strip_prefix('!') {
        Some(m) => (m, true),
        None => (method, false),
    };
    let state = state();
    let mut guard = state.tenant.lock().unwrap_or_else(|p| p.into_inner());
    guard.1 += 1;
    if guard.1 % 2_000 == 0 {
        guard.0 = Tenant::new(42);
    }
    let tenant = &guard.0;
    let mut headers = vec![("Content-Type".to_string(), "application/json".to_string())];
    if !anonymous {
        let c = tenant.credentials();
        headers.push(("ApiIntegrationCode".into(), c.integration_code));
        headers.push(("UserName".into(), c.username));
        headers.push(("Secret".into(), c.secret));
    }
    let answer =
        state
            .runtime
            .block_on(tenant.request(method, uri, &headers, body.as_bytes().to_vec()));
    if let Some((status, body)) = answer {
        assert!((200..600).contains(&status), "status {status}");
        if !body.is_empty() {
            assert!(
                serde_json::from_slice::<serde_json::Value>(&body).is_ok(),
                "{status}: {}",
                String::from_utf8_lossy(&body)
            );
        }
    }
});
