//! Lingering close: when a connection ends while its client may still be sending (a body
//! refused from its `Content-Length` with 413 before it was read, a 408 mid-upload),
//! closing the socket with unread bytes in its receive buffer makes the kernel answer with
//! a TCP reset, and a reset can reach the client before it has read the answer, which it
//! then never sees. So the server first shuts down its write side (the client sees the
//! answer and then the end of the stream) and reads and discards what still arrives until
//! the client closes, for at most [`LINGER_TIME`], [`LINGER_IDLE`] without a byte, or
//! [`LINGER_BYTES`], whichever comes first; only then is the socket closed.
//!
//! The connection keeps its slot of the connection caps ([`super::limits`]) while it
//! lingers, and the discarded bytes go through one small buffer, so lingering costs no
//! more memory than an idle connection and cannot be stretched past its bounds.
//!
//! [`Lingering`] wraps the stream that hyper serves; when hyper drops it, the stream is
//! handed back through a channel to the connection's task, which runs [`linger`].

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::sync::oneshot;

/// Longest a connection lingers after its last answer.
pub const LINGER_TIME: Duration = Duration::from_secs(4);
/// A lingering connection whose client sends nothing for this long is closed.
pub const LINGER_IDLE: Duration = Duration::from_secs(2);
/// Most bytes read and discarded while lingering: the rest of the largest body a client
/// may have started to send (the ingest limit) and a little more.
pub const LINGER_BYTES: usize = super::MAX_BODY + super::MAX_SMALL_BODY;

/// A stream that, when dropped, is handed back through the channel rather than closed.
pub struct Lingering<S> {
    stream: Option<S>,
    back: Option<oneshot::Sender<S>>,
}

impl<S> Lingering<S> {
    /// `stream` wrapped, and the receiver it comes back through once dropped.
    pub fn new(stream: S) -> (Self, oneshot::Receiver<S>) {
        let (tx, rx) = oneshot::channel();
        (
            Self {
                stream: Some(stream),
                back: Some(tx),
            },
            rx,
        )
    }

    fn stream(&mut self) -> io::Result<&mut S> {
        self.stream
            .as_mut()
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotConnected))
    }
}

impl<S> Drop for Lingering<S> {
    fn drop(&mut self) {
        if let (Some(stream), Some(back)) = (self.stream.take(), self.back.take()) {
            // The task may be gone (shutdown): the stream is then simply closed.
            let _ = back.send(stream);
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Lingering<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut().stream() {
            Ok(s) => Pin::new(s).poll_read(cx, buf),
            Err(e) => Poll::Ready(Err(e)),
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Lingering<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut().stream() {
            Ok(s) => Pin::new(s).poll_write(cx, buf),
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut().stream() {
            Ok(s) => Pin::new(s).poll_flush(cx),
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut().stream() {
            Ok(s) => Pin::new(s).poll_shutdown(cx),
            Err(e) => Poll::Ready(Err(e)),
        }
    }
}

/// Shuts down the write side of `stream`, then reads and discards until the client closes
/// or a bound of this module is reached. Returns the bytes discarded.
pub async fn linger<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S) -> usize {
    let _ = tokio::time::timeout(LINGER_IDLE, stream.shutdown()).await;
    let deadline = tokio::time::Instant::now() + LINGER_TIME;
    let mut buf = [0u8; 8 * 1024];
    let mut discarded = 0usize;
    while discarded < LINGER_BYTES {
        let idle_end = (tokio::time::Instant::now() + LINGER_IDLE).min(deadline);
        match tokio::time::timeout_at(idle_end, stream.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => discarded += n,
            // The client closed, the socket failed, or a bound was reached.
            _ => break,
        }
    }
    discarded
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;
    use tokio::net::{TcpListener, TcpStream};

    /// A server that answers at once and closes without reading what the client sends:
    /// with lingering, the client that is still sending reads the whole answer and then a
    /// clean end of stream; the server discards what was sent.
    #[tokio::test]
    async fn a_client_still_sending_reads_the_answer_then_a_clean_end() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let (mut wrapped, back) = Lingering::new(tcp);
            let mut head = [0u8; 16];
            wrapped.read_exact(&mut head).await.unwrap();
            wrapped.write_all(b"HTTP/1.1 413 x\r\n\r\n").await.unwrap();
            drop(wrapped);
            linger(back.await.unwrap()).await
        });
        let mut client = TcpStream::connect(addr).await.unwrap();
        let body = vec![0x40u8; 4 << 20];
        let (mut rd, mut wr) = client.split();
        let send = async {
            // The server never reads most of this: without lingering the write, or the
            // read below, fails with a reset.
            wr.write_all(&body).await.unwrap();
            wr.shutdown().await.unwrap();
        };
        let mut answer = Vec::new();
        let read = rd.read_to_end(&mut answer);
        let ((), got) = tokio::join!(send, read);
        got.unwrap();
        assert_eq!(answer, b"HTTP/1.1 413 x\r\n\r\n");
        let discarded = server.await.unwrap();
        assert_eq!(discarded, body.len() - 16);
    }

    #[tokio::test]
    async fn a_silent_client_is_let_go_after_the_idle_time() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let _client = TcpStream::connect(addr).await.unwrap();
        let (tcp, _) = listener.accept().await.unwrap();
        let started = std::time::Instant::now();
        assert_eq!(linger(tcp).await, 0);
        let took = started.elapsed();
        assert!(took >= LINGER_IDLE && took < LINGER_TIME, "{took:?}");
    }
}
