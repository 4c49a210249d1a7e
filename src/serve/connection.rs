//! One client connection, on its own thread: read one request, answer it,
//! close. Every read and every write has a time limit, so a client that
//! sends nothing, sends slowly, or never reads its answer holds up only its
//! own thread, and only for a while; the other clients are answered as usual.
//!
//! Each connection carries one request (`Connection: close`): a preview on
//! loopback gains nothing from keeping connections open, and a server that
//! never reuses a connection cannot be made to queue answers behind one.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use super::http::{self, Method, Request, Response};
use super::state::Served;

/// The longest request head (request line and headers) that is read.
const MAX_HEAD: usize = 16 * 1024;

/// How long a client may take to send its whole request head.
const READ_LIMIT: Duration = Duration::from_secs(10);

/// How long a client may take to receive its whole answer.
const WRITE_LIMIT: Duration = Duration::from_secs(30);

/// How long, after answering, unread request bytes are drained so that
/// closing does not reset the connection under the client's answer.
const LINGER: Duration = Duration::from_secs(2);

/// The most unread bytes drained after answering.
const MAX_LINGER: usize = 64 * 1024;

/// Answers the one request on `stream`. A client that goes away, stalls
/// or sends something that is not HTTP is simply dropped (or told 400).
pub fn handle(mut stream: TcpStream, served: &Served) {
    // Errors here mean the client went away or ran out of time: nothing
    // is left to tell it.
    let _ = answer(&mut stream, served);
    let _ = linger(&mut stream);
}

/// Tells a client over the connection limit to come back later, without
/// ever waiting for it.
pub fn turn_away(mut stream: TcpStream) {
    let response = http::busy();
    let sent = stream
        .set_nonblocking(true)
        .and_then(|()| stream.write(&encode(&response, false)));
    // A short answer fits in an empty socket buffer; if it does not, the
    // client gets a closed connection instead, which says as much.
    let _ = sent;
}

fn answer(stream: &mut TcpStream, served: &Served) -> io::Result<()> {
    // An accepted socket may inherit the listener's mode on some systems.
    stream.set_nonblocking(false)?;
    let (response, head_only) = match read_request(stream)? {
        Ok(request) => (
            http::respond(&request, served),
            request.method == Method::Head,
        ),
        Err(status) => (http::refuse(status), false),
    };
    write_before(
        stream,
        &encode(&response, head_only),
        Instant::now() + WRITE_LIMIT,
    )?;
    stream.flush()
}

/// Reads the request head. `Ok(Err(status))` is a request to refuse with
/// that status; `Err` a client that sent no whole head in time.
fn read_request(stream: &mut TcpStream) -> io::Result<Result<Request, u16>> {
    let deadline = Instant::now() + READ_LIMIT;
    let mut head = Vec::new();
    let mut buffer = [0; 4096];
    loop {
        if let Some(end) = head_end(&head) {
            return Ok(parse(&head[..end]));
        }
        if head.len() > MAX_HEAD {
            return Ok(Err(431));
        }
        stream.set_read_timeout(Some(time_left(deadline)?))?;
        match stream.read(&mut buffer) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(read) => head.extend_from_slice(&buffer[..read]),
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
}

/// Where the head ends: at the first empty line (`\r\n\r\n`, or `\n\n`
/// from a lenient client).
fn head_end(bytes: &[u8]) -> Option<usize> {
    let crlf = bytes.windows(4).position(|window| window == b"\r\n\r\n");
    let lf = bytes.windows(2).position(|window| window == b"\n\n");
    match (crlf, lf) {
        (Some(crlf), Some(lf)) => Some(crlf.min(lf)),
        (found, None) | (None, found) => found,
    }
}

/// Reads the request line `METHOD TARGET HTTP/1.x`; the headers are not
/// needed. Anything else is refused with 400.
fn parse(head: &[u8]) -> Result<Request, u16> {
    let line = head.split(|byte| *byte == b'\n').next().unwrap_or(head);
    let line = std::str::from_utf8(line).map_err(|_| 400_u16)?;
    let mut words = line.trim_end_matches('\r').split(' ');
    match (words.next(), words.next(), words.next(), words.next()) {
        (Some(method), Some(target), Some(version), None)
            if version.starts_with("HTTP/1.") && !method.is_empty() && !target.is_empty() =>
        {
            Ok(Request {
                method: Method::parse(method),
                target: target.to_string(),
            })
        }
        _ => Err(400),
    }
}

/// The response as bytes: status line, headers, and the body unless the
/// request was `HEAD`.
fn encode(response: &Response, head_only: bool) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        response.status,
        reason(response.status)
    );
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        response.body.len()
    ));
    let mut bytes = head.into_bytes();
    if !head_only {
        bytes.extend_from_slice(&response.body);
    }
    bytes
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// Writes all of `bytes` before `deadline`, or fails.
fn write_before(stream: &mut TcpStream, mut bytes: &[u8], deadline: Instant) -> io::Result<()> {
    while !bytes.is_empty() {
        stream.set_write_timeout(Some(time_left(deadline)?))?;
        match stream.write(bytes) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(written) => bytes = &bytes[written..],
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

/// Ends the connection gently: no more writing, then whatever the client
/// still sends is read and dropped for a moment, so that the answer is not
/// lost to a reset.
fn linger(stream: &mut TcpStream) -> io::Result<()> {
    stream.shutdown(Shutdown::Write)?;
    let deadline = Instant::now() + LINGER;
    let mut buffer = [0; 4096];
    let mut drained = 0;
    while drained < MAX_LINGER {
        stream.set_read_timeout(Some(time_left(deadline)?))?;
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => drained += read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

/// The time until `deadline`, or a timeout error once it has passed (a zero
/// timeout would mean "wait forever" to the socket).
fn time_left(deadline: Instant) -> io::Result<Duration> {
    deadline
        .checked_duration_since(Instant::now())
        .filter(|left| !left.is_zero())
        .ok_or_else(|| io::ErrorKind::TimedOut.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_line_is_read() {
        let request = parse(b"GET /a/?v=1 HTTP/1.1\r\nHost: x").unwrap();
        assert_eq!(request.method, Method::Get);
        assert_eq!(request.target, "/a/?v=1");
        assert_eq!(parse(b"HEAD / HTTP/1.0").unwrap().method, Method::Head);
        assert_eq!(parse(b"DELETE / HTTP/1.1").unwrap().method, Method::Other);
    }

    #[test]
    fn what_is_not_http_is_refused() {
        for head in [
            &b"GET /"[..],
            b"GET / HTTP/2",
            b"GET  / HTTP/1.1",
            b"GET / HTTP/1.1 extra",
            b"\xff / HTTP/1.1",
            b"",
        ] {
            assert_eq!(parse(head), Err(400), "{head:?}");
        }
    }

    #[test]
    fn the_head_ends_at_the_first_empty_line() {
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nA: b\r\n\r\nrest"), Some(20));
        assert_eq!(head_end(b"GET / HTTP/1.1\n\n"), Some(14));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nA: b\r\n"), None);
    }

    #[test]
    fn a_response_says_its_length_and_closes() {
        let response = http::refuse(400);
        let text = String::from_utf8(encode(&response, false)).unwrap();
        assert!(text.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{text}");
        assert!(text.contains(&format!("\r\nContent-Length: {}\r\n", response.body.len())));
        assert!(text.contains("\r\nConnection: close\r\n\r\n"), "{text}");
        let head = String::from_utf8(encode(&response, true)).unwrap();
        assert!(head.ends_with("\r\n\r\n"), "HEAD has no body: {head}");
    }
}
