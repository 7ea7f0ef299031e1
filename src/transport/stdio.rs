//! The stdio transport: one MCP client on stdin/stdout (Claude Desktop, Claude Code). stdout
//! carries JSON-RPC only; logs go to stderr. The server exits when stdin closes.
//!
//! [`LineTransport`] frames messages itself instead of rmcp's stdio transport, so that every
//! line gets an answer: a line that is not JSON, not one request object, or longer than
//! [`MAX_LINE_BYTES`] gets a JSON-RPC error (with the request's id when it can be read, even
//! from an over-long line) instead of silence, and an answer over the result cap is replaced
//! by an error saying how to narrow the request (see `jsonrpc`).

use std::collections::HashSet;
use std::sync::Arc;

use rmcp::RoleServer;
use rmcp::ServiceExt;
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::Mutex;

use super::jsonrpc::{self, ErrorReply, IdScanner, Screened};
use crate::config::Config;
use crate::server::AutotaskServer;

/// Longest line read (one message), as rmcp's own stdio transport.
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// Ids of the `tools/call` requests in progress, so an answer over the cap is replaced by a
/// tool error (which the model reads) rather than a protocol error. Bounded.
const MAX_TRACKED_CALLS: usize = 4096;

type Writer<W> = Arc<Mutex<W>>;

/// Newline-delimited JSON-RPC over any reader and writer (stdin/stdout in the binary).
pub struct LineTransport<R, W> {
    reader: BufReader<R>,
    line: Vec<u8>,
    /// Set while the rest of an over-long line is skipped: its length so far and its id.
    oversized: Option<(usize, IdScanner)>,
    writer: Writer<W>,
    max_result_bytes: usize,
    tool_calls: Arc<std::sync::Mutex<HashSet<String>>>,
}

/// How one line read ended.
enum LineRead {
    Line,
    Oversized(usize, IdScanner),
    Eof,
    Failed(std::io::Error),
}

impl<R, W> LineTransport<R, W>
where
    R: AsyncRead + Unpin + Send,
    W: AsyncWrite + Unpin + Send + 'static,
{
    pub fn new(reader: R, writer: W, max_result_bytes: usize) -> Self {
        LineTransport {
            reader: BufReader::new(reader),
            line: Vec::new(),
            oversized: None,
            writer: Arc::new(Mutex::new(writer)),
            max_result_bytes,
            tool_calls: Arc::default(),
        }
    }

    /// Reads up to the next newline into `self.line`, or skips an over-long line. Cancel-safe:
    /// `receive` is polled in a `select!`, and every byte taken from the buffer is already
    /// stored in `self` before the next await.
    async fn read_line(&mut self) -> LineRead {
        loop {
            let available = match self.reader.fill_buf().await {
                Ok(bytes) => bytes,
                Err(e) => return LineRead::Failed(e),
            };
            if available.is_empty() {
                return LineRead::Eof;
            }
            let newline = available.iter().position(|b| *b == b'\n');
            let take = newline.map_or(available.len(), |i| i + 1);
            let chunk = &available[..take];
            match &mut self.oversized {
                Some((length, scanner)) => {
                    *length += take;
                    scanner.feed(chunk);
                }
                None if self.line.len() + take > MAX_LINE_BYTES => {
                    let mut scanner = IdScanner::default();
                    scanner.feed(&self.line);
                    scanner.feed(chunk);
                    self.oversized = Some((self.line.len() + take, scanner));
                    self.line = Vec::new();
                }
                None => self.line.extend_from_slice(chunk),
            }
            self.reader.consume(take);
            if newline.is_some() {
                return match self.oversized.take() {
                    Some((length, scanner)) => LineRead::Oversized(length, scanner),
                    None => LineRead::Line,
                };
            }
        }
    }

    /// Writes `value` as one line, in a task of its own: a write cut by cancellation would
    /// leave half a line on stdout.
    fn reply(&self, value: Value) {
        let writer = Arc::clone(&self.writer);
        tokio::spawn(async move {
            if let Err(e) = write_line(&writer, value.to_string().into_bytes()).await {
                tracing::debug!(error = %e, "could not write an error answer");
            }
        });
    }
}

async fn write_line<W: AsyncWrite + Unpin>(
    writer: &Mutex<W>,
    mut bytes: Vec<u8>,
) -> std::io::Result<()> {
    bytes.push(b'\n');
    let mut w = writer.lock().await;
    w.write_all(&bytes).await?;
    w.flush().await
}

fn id_key(id: &Value) -> String {
    id.to_string()
}

impl<R, W> rmcp::transport::Transport<RoleServer> for LineTransport<R, W>
where
    R: AsyncRead + Unpin + Send,
    W: AsyncWrite + Unpin + Send + 'static,
{
    type Error = std::io::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleServer>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let writer = Arc::clone(&self.writer);
        let limit = self.max_result_bytes;
        let tool_calls = Arc::clone(&self.tool_calls);
        async move {
            let id = match &item {
                TxJsonRpcMessage::<RoleServer>::Response(r) => serde_json::to_value(&r.id).ok(),
                TxJsonRpcMessage::<RoleServer>::Error(e) => serde_json::to_value(&e.id).ok(),
                _ => None,
            };
            let tool_call = id.as_ref().is_some_and(|id| {
                tool_calls
                    .lock()
                    .is_ok_and(|mut calls| calls.remove(&id_key(id)))
            });
            let mut bytes = serde_json::to_vec(&item).map_err(std::io::Error::other)?;
            if bytes.len() > limit
                && let Some(id) = id
            {
                bytes = jsonrpc::too_large_answer(id, tool_call, Some(bytes.len()), limit)
                    .to_string()
                    .into_bytes();
            }
            write_line(&writer, bytes).await
        }
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleServer>> {
        loop {
            match self.read_line().await {
                LineRead::Line => {}
                LineRead::Oversized(length, scanner) => {
                    tracing::warn!(
                        bytes = length,
                        limit = MAX_LINE_BYTES,
                        "refused a message over the line limit"
                    );
                    self.reply(
                        ErrorReply::too_long(scanner.id(), length, MAX_LINE_BYTES).to_json(),
                    );
                    continue;
                }
                LineRead::Eof => return None,
                LineRead::Failed(e) => {
                    tracing::warn!(error = %e, "cannot read stdin");
                    return None;
                }
            }
            let line = std::mem::take(&mut self.line);
            let text = line.strip_suffix(b"\n").unwrap_or(&line);
            let text = text.strip_suffix(b"\r").unwrap_or(text);
            if text.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let message = match jsonrpc::screen(text) {
                Screened::Forward { message, .. } => message,
                Screened::Reply(reply) => {
                    self.reply(reply.to_json());
                    continue;
                }
                Screened::Ignore => continue,
            };
            let id = message.get("id").cloned();
            let is_tool_call = message.get("method").and_then(Value::as_str) == Some("tools/call");
            match serde_json::from_value::<RxJsonRpcMessage<RoleServer>>(message) {
                Ok(parsed) => {
                    if is_tool_call
                        && let Some(id) = &id
                        && let Ok(mut calls) = self.tool_calls.lock()
                        && calls.len() < MAX_TRACKED_CALLS
                    {
                        calls.insert(id_key(id));
                    }
                    return Some(parsed);
                }
                // A notification gets no answer, whatever is wrong with it (MCP clients send
                // some that are not MCP's).
                Err(e) if id.is_none() => {
                    tracing::debug!(error = %e, "ignored a notification that cannot be read");
                }
                Err(e) => self.reply(
                    ErrorReply {
                        id,
                        code: jsonrpc::INVALID_REQUEST,
                        message: format!(
                            "Invalid Request: {}",
                            jsonrpc::excerpt(&e.to_string(), 300)
                        ),
                    }
                    .to_json(),
                ),
            }
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.writer.lock().await.flush().await
    }
}

/// Serves MCP on stdin/stdout until the client disconnects.
pub async fn run(config: Config) -> Result<(), String> {
    super::init_logging(config.log_format);
    let backend = super::backend(&config).await?;
    let server = AutotaskServer::new(backend.state.clone());
    let (stdin, stdout) = rmcp::transport::stdio_pipes();
    let transport = LineTransport::new(stdin, stdout, config.max_result_bytes);
    let running = server
        .serve(transport)
        .await
        .map_err(|e| format!("MCP start-up over stdio failed: {e}"))?;
    let reason = running
        .waiting()
        .await
        .map_err(|e| format!("the stdio server stopped: {e}"))?;
    tracing::info!(?reason, "stdio client disconnected");
    drop(backend);
    Ok(())
}
