//! A guard in front of `tower-lsp-server`'s transport. Its decoder gives up for good on the
//! first message it cannot decode (`tokio_util`'s `FramedRead` ends its stream after an
//! error), so one bad message used to end the server. Here every framed message is read and
//! validated first; a bad one is answered with a JSON-RPC error (-32700 parse error for bad
//! framing, UTF-8 or JSON, a lone surrogate included; -32600 invalid request for a batch, a
//! non-object or a message without `"jsonrpc": "2.0"`) and the server never sees it. Valid
//! messages go on re-framed with only a `Content-Length` header. The server's output and
//! these error responses are written to the real output whole, one message at a time
//! ([`pump`] and [`write_out`]: reads are never cancelled half-way).

use serde_json::{json, Value};
use std::io;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Request, Response};

/// The largest message accepted: 64 MiB (bytes of body); a larger one is skipped unread
/// and answered with a parse error.
pub const MAX_MESSAGE: usize = 64 << 20;

/// The longest header line accepted (bytes); a longer one makes its message invalid.
const MAX_HEADER_LINE: usize = 8 << 10;

/// One framed message read from a stream.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    /// A complete body.
    Body(Vec<u8>),
    /// Headers that cannot frame a message (what is wrong), or a body too large; the bytes
    /// were consumed.
    Bad(String),
    /// The stream ended (between messages or inside one).
    Eof,
}

/// Read one header line (without its `\r\n`), at most [`MAX_HEADER_LINE`] bytes kept;
/// `None` at the end of the stream. The bool says the line was longer and was cut.
async fn header_line<R: AsyncBufRead + Unpin>(r: &mut R) -> io::Result<Option<(Vec<u8>, bool)>> {
    let mut line = Vec::new();
    let mut long = false;
    loop {
        let buf = r.fill_buf().await?;
        if buf.is_empty() {
            return Ok(if line.is_empty() && !long { None } else { Some((line, long)) });
        }
        let (take, done) = match buf.iter().position(|b| *b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        let room = MAX_HEADER_LINE.saturating_sub(line.len());
        line.extend_from_slice(&buf[..take.min(room)]);
        long |= take > room;
        r.consume(take);
        if done {
            while matches!(line.last(), Some(b'\n' | b'\r')) {
                line.pop();
            }
            return Ok(Some((line, long)));
        }
    }
}

/// Read the next framed message: header lines up to an empty line (blank lines before the
/// headers are skipped), then `Content-Length` bytes of body.
pub async fn read_frame<R: AsyncBufRead + Unpin>(r: &mut R) -> io::Result<Frame> {
    let mut len: Option<usize> = None;
    let mut bad: Option<String> = None;
    let mut any = false;
    loop {
        let Some((line, long)) = header_line(r).await? else { return Ok(Frame::Eof) };
        if line.is_empty() && !long {
            if any {
                break;
            }
            continue;
        }
        any = true;
        if long {
            bad.get_or_insert_with(|| format!("a header line longer than {MAX_HEADER_LINE} bytes"));
            continue;
        }
        let text = String::from_utf8_lossy(&line);
        match text.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => match value.trim().parse::<usize>() {
                Ok(n) => len = Some(n),
                Err(_) => {
                    bad.get_or_insert_with(|| format!("invalid Content-Length `{}`", value.trim()));
                }
            },
            Some(_) => {} // other headers (Content-Type) are not needed
            None => {
                bad.get_or_insert_with(|| "a header line without `:`".into());
            }
        }
    }
    let Some(len) = len else { return Ok(Frame::Bad(bad.unwrap_or_else(|| "a message without Content-Length".into()))) };
    if len > MAX_MESSAGE {
        let skipped = tokio::io::copy(&mut (&mut *r).take(len as u64), &mut tokio::io::sink()).await?;
        if skipped < len as u64 {
            return Ok(Frame::Eof);
        }
        return Ok(Frame::Bad(format!("a message of {len} bytes, more than the limit of {} MiB", MAX_MESSAGE >> 20)));
    }
    let mut body = vec![0; len];
    match r.read_exact(&mut body).await {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(Frame::Eof),
        Err(e) => return Err(e),
    }
    Ok(match bad {
        Some(b) => Frame::Bad(b),
        None => Frame::Body(body),
    })
}

/// `body` with its `Content-Length` header.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// A JSON-RPC error response.
fn error(id: Value, code: i64, message: String) -> Vec<u8> {
    serde_json::to_vec(&json!({ "jsonrpc": "2.0", "error": { "code": code, "message": message }, "id": id })).expect("json")
}

/// `Ok` for a body the server can take (a JSON-RPC 2.0 request, notification or response),
/// else the error response to send instead.
pub fn validate(body: &[u8]) -> Result<(), Vec<u8>> {
    let parse_error = |why: String| error(Value::Null, -32700, format!("Parse error: {why}"));
    let text = std::str::from_utf8(body).map_err(|e| parse_error(format!("the message is not UTF-8 ({e})")))?;
    let v: Value = serde_json::from_str(text).map_err(|e| parse_error(e.to_string()))?;
    let id = match v.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    match &v {
        Value::Array(_) => return Err(error(Value::Null, -32600, "Invalid request: batches are not supported".into())),
        Value::Object(_) => {}
        _ => return Err(error(Value::Null, -32600, "Invalid request: a message is a JSON object".into())),
    }
    if serde_json::from_value::<Response>(v.clone()).is_ok() || serde_json::from_value::<Request>(v).is_ok() {
        return Ok(());
    }
    Err(error(id, -32600, "Invalid request: not a JSON-RPC 2.0 request, notification or response (is `\"jsonrpc\": \"2.0\"` there?)".into()))
}

/// Copy valid messages from `input` to `to_server`; answer the others through `errors`.
/// Ends at the end of `input` (or when the server stops reading).
pub async fn filter<I, W>(input: I, mut to_server: W, errors: mpsc::UnboundedSender<Vec<u8>>) -> io::Result<()>
where
    I: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut input = BufReader::new(input);
    loop {
        match read_frame(&mut input).await? {
            Frame::Eof => return Ok(()),
            Frame::Bad(why) => {
                let _ = errors.send(frame(&error(Value::Null, -32700, format!("Parse error: {why}"))));
            }
            Frame::Body(body) => match validate(&body) {
                Ok(()) => {
                    to_server.write_all(&frame(&body)).await?;
                    to_server.flush().await?;
                }
                Err(response) => {
                    let _ = errors.send(frame(&response));
                }
            },
        }
    }
}

/// Send each message the server writes (read whole from `from_server`) to `out`. Ends at
/// the end of the server's output.
pub async fn pump<S: AsyncRead + Unpin>(from_server: S, out: mpsc::UnboundedSender<Vec<u8>>) -> io::Result<()> {
    let mut from_server = BufReader::new(from_server);
    loop {
        match read_frame(&mut from_server).await? {
            Frame::Body(b) => {
                let _ = out.send(frame(&b));
            }
            Frame::Bad(_) => {}
            Frame::Eof => return Ok(()),
        }
    }
}

/// Write every message received to `output`, each in one piece, until every sender is gone.
pub async fn write_out<O: AsyncWrite + Unpin>(mut messages: mpsc::UnboundedReceiver<Vec<u8>>, mut output: O) -> io::Result<()> {
    while let Some(m) = messages.recv().await {
        output.write_all(&m).await?;
        output.flush().await?;
    }
    Ok(())
}
