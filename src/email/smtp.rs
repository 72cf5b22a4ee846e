//! SMTP delivery over sockets Trellis opens itself, with `TCP_NODELAY` set.
//!
//! lettre writes a message's body and its end marker (`CRLF . CRLF`) as two writes. With
//! Nagle's algorithm on, the marker waits until the server acknowledges the body, and a
//! server that delays its acknowledgements (Linux does, by up to 40 ms) holds every message
//! that long: about 25 messages a second per connection. lettre's pooled transport opens its
//! sockets itself and cannot set the option, so this module connects with tokio, sets
//! `TCP_NODELAY`, and hands the socket to lettre's [`AsyncSmtpConnection`], which still does
//! all the SMTP (EHLO, STARTTLS, AUTH, MAIL/RCPT/DATA, dot-stuffing).
//!
//! Implicit TLS (`smtp_tls = "tls"`, port 465) is the exception: lettre must open that
//! socket itself to wrap it in TLS before the greeting, so those connections keep Nagle on.
//!
//! Connections are kept open between messages, at most one per message the worker sends at
//! once, and closed after a minute unused. A kept connection the server has since closed is
//! noticed on the next send, which then tries once more on a new connection.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use tokio::net::TcpStream;

use super::{classify_smtp, SendError};

/// How long a kept connection may sit unused before it is closed.
const IDLE_LIMIT: Duration = Duration::from_secs(60);

/// How the connection is secured.
pub enum Security {
    /// Plain text (a relay on localhost).
    None,
    /// `STARTTLS` after the greeting, required.
    StartTls(TlsParameters),
    /// TLS from the first byte (port 465).
    Wrapper(TlsParameters),
}

/// Where to deliver and how.
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub credentials: Option<Credentials>,
    /// Limit for connecting, and separately for each message's exchange.
    pub timeout: Duration,
    /// Most connections kept open between messages.
    pub max_idle: usize,
}

/// A mail server and the connections kept open to it.
pub struct SmtpClient {
    config: SmtpConfig,
    hello: ClientId,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
}

impl SmtpClient {
    pub fn new(config: SmtpConfig) -> SmtpClient {
        SmtpClient {
            config,
            hello: ClientId::default(),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Deliver one message (`raw` is the whole formatted message).
    pub async fn send(&self, envelope: &Envelope, raw: &[u8]) -> Result<(), SendError> {
        if let Some(mut conn) = self.take_idle() {
            match tokio::time::timeout(self.config.timeout, conn.send(envelope, raw)).await {
                Ok(Ok(_)) => {
                    self.keep(conn);
                    return Ok(());
                }
                // The server answered: that answer stands.
                Ok(Err(e)) if e.status().is_some() => return Err(classify_smtp(&e)),
                // The kept connection was closed or broke: try once on a new one.
                Ok(Err(_)) | Err(_) => {}
            }
        }
        let mut conn = self.connect().await?;
        match tokio::time::timeout(self.config.timeout, conn.send(envelope, raw)).await {
            Ok(Ok(_)) => {
                self.keep(conn);
                Ok(())
            }
            Ok(Err(e)) => Err(classify_smtp(&e)),
            Err(_) => Err(self.timed_out()),
        }
    }

    /// A new connection: greeting, EHLO, STARTTLS and AUTH as configured.
    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let config = &self.config;
        let work = async {
            let mut conn = match &config.security {
                Security::Wrapper(tls) => AsyncSmtpConnection::connect_tokio1(
                    (config.host.as_str(), config.port),
                    Some(config.timeout),
                    &self.hello,
                    Some(tls.clone()),
                    None,
                )
                .await
                .map_err(|e| classify_smtp(&e))?,
                Security::None | Security::StartTls(_) => {
                    let tcp = TcpStream::connect((config.host.as_str(), config.port))
                        .await
                        .map_err(|e| self.unreachable(&e))?;
                    tcp.set_nodelay(true).map_err(|e| self.unreachable(&e))?;
                    AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello)
                        .await
                        .map_err(|e| classify_smtp(&e))?
                }
            };
            if let Security::StartTls(tls) = &config.security {
                conn.starttls(tls.clone(), &self.hello)
                    .await
                    .map_err(|e| classify_smtp(&e))?;
            }
            if let Some(credentials) = &config.credentials {
                conn.auth(DEFAULT_MECHANISMS, credentials)
                    .await
                    .map_err(|e| classify_smtp(&e))?;
            }
            Ok(conn)
        };
        tokio::time::timeout(config.timeout, work)
            .await
            .unwrap_or_else(|_| Err(self.timed_out()))
    }

    /// The newest kept connection that has not sat unused too long; older ones are closed.
    fn take_idle(&self) -> Option<AsyncSmtpConnection> {
        let mut idle = self.idle.lock().ok()?;
        idle.retain(|(_, since)| since.elapsed() < IDLE_LIMIT);
        idle.pop().map(|(conn, _)| conn)
    }

    fn keep(&self, conn: AsyncSmtpConnection) {
        if conn.has_broken() {
            return;
        }
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < self.config.max_idle {
                idle.push((conn, Instant::now()));
            }
        }
    }

    fn unreachable(&self, e: &std::io::Error) -> SendError {
        SendError::Unreachable(format!(
            "Failed to connect to {}:{}: {e}",
            self.config.host, self.config.port
        ))
    }

    fn timed_out(&self) -> SendError {
        SendError::Unreachable(format!(
            "{}:{} did not answer within {} s",
            self.config.host,
            self.config.port,
            self.config.timeout.as_secs()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client_for(port: u16) -> SmtpClient {
        SmtpClient::new(SmtpConfig {
            host: "127.0.0.1".into(),
            port,
            security: Security::None,
            credentials: None,
            timeout: Duration::from_secs(2),
            max_idle: 2,
        })
    }

    fn envelope() -> Envelope {
        Envelope::new(
            Some("a@example.org".parse().unwrap()),
            vec!["b@example.org".parse().unwrap()],
        )
        .unwrap()
    }

    #[tokio::test]
    async fn a_refused_connection_is_unreachable() {
        // Bind then drop a listener to find a port with nothing on it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap();
        let err = client_for(port)
            .send(&envelope(), b"Subject: hi\r\n\r\nhi\r\n")
            .await
            .unwrap_err();
        assert!(matches!(err, SendError::Unreachable(_)), "{err:?}");
    }

    #[tokio::test]
    async fn a_server_that_never_greets_times_out_as_unreachable() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        // Accept and hold the socket without a word.
        let holder = tokio::spawn(async move {
            let (socket, _) = listener.accept().await.unwrap();
            tokio::time::sleep(Duration::from_secs(10)).await;
            drop(socket);
        });
        let mut client = client_for(port);
        client.config.timeout = Duration::from_millis(300);
        let err = client
            .send(&envelope(), b"Subject: hi\r\n\r\nhi\r\n")
            .await
            .unwrap_err();
        assert!(matches!(err, SendError::Unreachable(_)), "{err:?}");
        assert!(err.message().contains("did not answer"), "{err:?}");
        holder.abort();
    }

    /// A minimal SMTP server that accepts one message per connection and then hangs up,
    /// as a server does with a connection it has closed while it sat idle. It answers how
    /// many connections it took.
    async fn one_message_per_connection_server(
        listener: tokio::net::TcpListener,
        messages: usize,
    ) -> usize {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let mut connections = 0;
        let mut received = 0;
        while received < messages {
            let (socket, _) = listener.accept().await.unwrap();
            connections += 1;
            let (read, mut write) = socket.into_split();
            let mut lines = BufReader::new(read).lines();
            write.write_all(b"220 test ready\r\n").await.unwrap();
            let mut in_data = false;
            while let Ok(Some(line)) = lines.next_line().await {
                if in_data {
                    if line == "." {
                        received += 1;
                        write.write_all(b"250 queued\r\n").await.unwrap();
                        break;
                    }
                    continue;
                }
                let reply: &[u8] = match line.get(..4).unwrap_or("") {
                    "EHLO" => b"250 test\r\n",
                    "DATA" => {
                        in_data = true;
                        b"354 go on\r\n"
                    }
                    _ => b"250 ok\r\n",
                };
                write.write_all(reply).await.unwrap();
            }
        }
        connections
    }

    #[tokio::test]
    async fn a_kept_connection_the_server_closed_is_replaced_without_losing_the_message() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = tokio::spawn(one_message_per_connection_server(listener, 3));
        let client = client_for(port);
        for _ in 0..3 {
            client
                .send(&envelope(), b"Subject: hi\r\n\r\nhi\r\n")
                .await
                .unwrap();
        }
        assert_eq!(server.await.unwrap(), 3);
    }
}
