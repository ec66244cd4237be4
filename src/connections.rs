//! Slow clients (SPEC §6): what one client may hold of the server.
//!
//! - A request's headers must arrive within [`REQUEST_WITHIN`] (10 s) of its
//!   connection (actix's `client_request_timeout`, which answers 408 and
//!   closes), and its body within 10 s of its headers ([`body_deadline`]: a
//!   late body is answered `408 timeout` and its connection closed), on every
//!   route that reads a body, whatever extractor reads it.
//! - An address (an IPv6 /64: [`crate::limits::client_key`]) may hold
//!   `--max-conn-per-ip` connections at once (256 by default; a booth's NAT
//!   with a few hundred phones holds far fewer, as a phone keeps one or two
//!   and each is closed after 5 s idle). One more is shut as soon as it is
//!   accepted, before anything of it is read ([`ConnectionCap`]). A trusted
//!   proxy is not capped: it speaks for many clients (and buffers their
//!   bodies itself).
//! - A connection kept open between requests must start its next request
//!   within [`IDLE_WITHIN`] (15 s) of its last answer: actix closes an idle
//!   connection after 5 s of silence, but not one that sends part of a next
//!   request's head and stops (its head deadline covers a connection's first
//!   request only). Each worker sweeps its connections every second
//!   ([`Watch`]).
//! - At start the process's soft limit on open files is raised to its hard
//!   limit ([`raise_fd_limit`]), and the server accepts at most that many
//!   connections less [`FD_RESERVE`] for the database, the log and the
//!   runtime ([`max_connections`]); past that, new connections wait in the
//!   listen queue rather than failing everything else for want of a file
//!   descriptor.

use crate::error::{ApiError, ErrorCode};
use actix_web::body::{BodySize, BoxBody, EitherBody, MessageBody};
use actix_web::dev::{Extensions, Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{ConnectionType, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{HttpMessage, ResponseError};
use futures_util::Stream;
use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

/// How long a request's headers, and then its body, may take to arrive.
pub const REQUEST_WITHIN: Duration = Duration::from_secs(10);

/// How long a connection may stay open with no request in progress: the
/// 5 s actix keeps an idle connection, then [`REQUEST_WITHIN`] for a next
/// request's head that began to arrive.
pub const IDLE_WITHIN: Duration = Duration::from_secs(15);

/// File descriptors kept out of the connections' share: the database and
/// its WAL, PostgreSQL's pool, the log, the listener, the runtime's own.
pub const FD_RESERVE: u64 = 512;

/// Connections each worker accepts at most, when the process may open
/// `fd_limit` files: the share of `workers` in what [`FD_RESERVE`] leaves,
/// between 64 and actix's default of 25,000.
pub fn max_connections(fd_limit: u64, workers: usize) -> usize {
    let share = fd_limit.saturating_sub(FD_RESERVE) / workers.max(1) as u64;
    usize::try_from(share)
        .unwrap_or(usize::MAX)
        .clamp(64, 25_000)
}

/// Raises the soft limit on open files to the hard limit; returns the
/// limit before and after.
#[cfg(unix)]
pub fn raise_fd_limit() -> std::io::Result<(u64, u64)> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes only the struct it is given.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let before = lim.rlim_cur;
    if lim.rlim_cur < lim.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: lim.rlim_max,
            rlim_max: lim.rlim_max,
        };
        // SAFETY: setrlimit reads only the struct it is given.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        lim = raised;
    }
    #[allow(clippy::useless_conversion)] // rlim_t is u64 on Linux, not everywhere
    Ok((u64::from(before), u64::from(lim.rlim_cur)))
}

/// Elsewhere the limit is left as it is (and not known).
#[cfg(not(unix))]
pub fn raise_fd_limit() -> std::io::Result<(u64, u64)> {
    Ok((u64::MAX, u64::MAX))
}

/// Live connections per address, with the cap.
#[derive(Clone)]
pub struct ConnectionCap {
    per_ip: u32,
    trusted: Arc<[ipnet::IpNet]>,
    live: Arc<Mutex<HashMap<IpAddr, u32>>>,
}

/// One counted connection: kept in the connection's data, so the count
/// goes down when actix drops the connection.
struct Held {
    key: IpAddr,
    live: Arc<Mutex<HashMap<IpAddr, u32>>>,
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut live = self.live.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = live.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                live.remove(&self.key);
            }
        }
    }
}

/// What [`ConnectionCap::admit`] decides.
enum Admitted {
    /// Not counted: no cap, or a trusted proxy.
    Free,
    /// Counted while the value lives.
    Held(Held),
    /// Over the cap.
    Refused,
}

impl ConnectionCap {
    /// `per_ip` connections per address (0: no cap); `trusted` proxies are
    /// not capped.
    pub fn new(per_ip: u32, trusted: &[ipnet::IpNet]) -> Self {
        Self {
            per_ip,
            trusted: trusted.into(),
            live: Arc::default(),
        }
    }

    fn admit(&self, peer: IpAddr) -> Admitted {
        let peer = peer.to_canonical();
        if self.per_ip == 0 || self.trusted.iter().any(|net| net.contains(&peer)) {
            return Admitted::Free;
        }
        let key = crate::limits::client_key(peer);
        let mut live = self.live.lock().unwrap_or_else(PoisonError::into_inner);
        let n = live.entry(key).or_default();
        if *n >= self.per_ip {
            return Admitted::Refused;
        }
        *n += 1;
        Admitted::Held(Held {
            key,
            live: self.live.clone(),
        })
    }

    /// Connections held now by the address `ip` is counted under.
    pub fn live(&self, ip: IpAddr) -> u32 {
        let key = crate::limits::client_key(ip);
        let live = self.live.lock().unwrap_or_else(PoisonError::into_inner);
        live.get(&key).copied().unwrap_or(0)
    }

    /// For `HttpServer::on_connect`: counts the connection, or shuts it at
    /// once when its address holds its share already.
    pub fn on_connect(&self, conn: &dyn Any, data: &mut Extensions) {
        let Some(stream) = conn.downcast_ref::<actix_web::rt::net::TcpStream>() else {
            return;
        };
        let Ok(peer) = stream.peer_addr() else {
            return;
        };
        match self.admit(peer.ip()) {
            Admitted::Free => {}
            Admitted::Held(held) => {
                data.insert(held);
            }
            Admitted::Refused => return shut(stream),
        }
        #[cfg(unix)]
        data.insert(Watch::new(stream, peer));
    }
}

/// Where a connection is: answering a request, or idle since an instant.
#[derive(Debug, Clone, Copy)]
enum Phase {
    Busy,
    IdleSince(std::time::Instant),
    Shut,
}

/// A connection watched by its worker's sweep, kept in the connection's
/// data: a request marks it busy until its answer is sent; one idle for
/// longer than [`IDLE_WITHIN`] is shut. Workers are single-threaded, so
/// the sweep never runs between actix closing a connection and dropping
/// this; and it checks the descriptor still leads to the same peer.
pub struct Watch {
    id: u64,
    phase: Rc<Cell<Phase>>,
}

#[cfg(unix)]
struct Watched {
    fd: std::os::fd::RawFd,
    peer: std::net::SocketAddr,
    phase: Rc<Cell<Phase>>,
}

#[cfg(unix)]
thread_local! {
    static WATCHED: RefCell<HashMap<u64, Watched>> = RefCell::default();
    static NEXT_WATCH: Cell<u64> = const { Cell::new(0) };
}

#[cfg(unix)]
impl Watch {
    fn new(stream: &actix_web::rt::net::TcpStream, peer: std::net::SocketAddr) -> Self {
        use std::os::fd::AsRawFd;
        let phase = Rc::new(Cell::new(Phase::IdleSince(std::time::Instant::now())));
        let id = NEXT_WATCH.with(|n| {
            let id = n.get();
            n.set(id + 1);
            id
        });
        let first = WATCHED.with(|w| {
            let mut w = w.borrow_mut();
            let first = w.is_empty() && id == 0;
            w.insert(
                id,
                Watched {
                    fd: stream.as_raw_fd(),
                    peer,
                    phase: phase.clone(),
                },
            );
            first
        });
        if first {
            actix_web::rt::spawn(sweep());
        }
        Self { id, phase }
    }
}

impl Watch {
    fn busy(&self) {
        if !matches!(self.phase.get(), Phase::Shut) {
            self.phase.set(Phase::Busy);
        }
    }
}

#[cfg(unix)]
impl Drop for Watch {
    fn drop(&mut self) {
        WATCHED.with(|w| w.borrow_mut().remove(&self.id));
    }
}

/// Every second, shuts this worker's connections idle past [`IDLE_WITHIN`].
#[cfg(unix)]
async fn sweep() {
    let mut every = tokio::time::interval(Duration::from_secs(1));
    loop {
        every.tick().await;
        let now = std::time::Instant::now();
        WATCHED.with(|w| {
            for c in w.borrow().values() {
                let Phase::IdleSince(since) = c.phase.get() else {
                    continue;
                };
                if now.duration_since(since) > IDLE_WITHIN {
                    c.phase.set(Phase::Shut);
                    shut_fd(c.fd, c.peer);
                }
            }
        });
    }
}

/// Shuts the socket `fd`, if it still leads to `peer`.
#[cfg(unix)]
fn shut_fd(fd: std::os::fd::RawFd, peer: std::net::SocketAddr) {
    use std::os::fd::FromRawFd;
    // SAFETY: the descriptor belongs to a connection this worker still
    // holds (its Watch is dropped with it, on this thread); ManuallyDrop
    // keeps it from being closed here.
    let stream = std::mem::ManuallyDrop::new(unsafe { std::net::TcpStream::from_raw_fd(fd) });
    if stream.peer_addr().ok() == Some(peer) {
        let _ = stream.shutdown(std::net::Shutdown::Both);
    }
}

/// Shuts a connection both ways: actix reads its end at once and drops it.
#[cfg(unix)]
fn shut(stream: &actix_web::rt::net::TcpStream) {
    use std::os::fd::AsRawFd;
    // SAFETY: the descriptor is the stream's, open while it is borrowed;
    // shutdown changes the socket's state only, never the descriptor.
    unsafe {
        libc::shutdown(stream.as_raw_fd(), libc::SHUT_RDWR);
    }
}

#[cfg(not(unix))]
fn shut(_stream: &actix_web::rt::net::TcpStream) {}

/// A request body that must end by a deadline: past it, the stream ends
/// with an error and `late` is set.
struct Timed {
    body: Rc<RefCell<Payload>>,
    deadline: Pin<Box<tokio::time::Sleep>>,
    late: Rc<Cell<bool>>,
}

impl Stream for Timed {
    type Item = Result<Bytes, actix_web::error::PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.late.get() {
            return Poll::Ready(None);
        }
        if let Poll::Ready(item) = Pin::new(&mut *self.body.borrow_mut()).poll_next(cx) {
            return Poll::Ready(item);
        }
        if self.deadline.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        self.late.set(true);
        Poll::Ready(Some(Err(actix_web::error::PayloadError::Io(
            std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the request body did not arrive in time",
            ),
        ))))
    }
}

/// A response body that keeps its request's body from being dropped until
/// it is sent: actix then closes a connection whose request body has not
/// all arrived, where it would otherwise wait for the rest (a chunked body
/// nobody read is drained, however slowly it comes).
pub struct HoldsRequestBody {
    body: BoxBody,
    _request_body: Option<Rc<RefCell<Payload>>>,
    _watch: Option<IdleWhenSent>,
}

/// Marks its connection idle when dropped (the answer has been sent, or
/// the connection is gone).
struct IdleWhenSent(Rc<Cell<Phase>>);

impl Drop for IdleWhenSent {
    fn drop(&mut self) {
        if !matches!(self.0.get(), Phase::Shut) {
            self.0.set(Phase::IdleSince(std::time::Instant::now()));
        }
    }
}

impl MessageBody for HoldsRequestBody {
    type Error = <BoxBody as MessageBody>::Error;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_next(cx)
    }
}

/// Middleware: a request's body must arrive within [`REQUEST_WITHIN`] of
/// its headers; a late one is answered `408 timeout` and its connection
/// closed, whatever the handler made of the cut-short body. A connection
/// whose request body is still arriving when the answer goes is closed
/// after it.
pub async fn body_deadline(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, HoldsRequestBody>>, actix_web::Error> {
    let watch = req.conn_data::<Watch>().map(|w| {
        w.busy();
        IdleWhenSent(w.phase.clone())
    });
    let body = req.take_payload();
    if matches!(body, Payload::None) {
        let res = next.call(req).await?;
        return Ok(match watch {
            None => res.map_into_left_body(),
            Some(watch) => res
                .map_into_boxed_body()
                .map_body(|_, b| HoldsRequestBody {
                    body: b,
                    _request_body: None,
                    _watch: Some(watch),
                })
                .map_into_right_body(),
        });
    }
    let body = Rc::new(RefCell::new(body));
    let late = Rc::new(Cell::new(false));
    let timed = Timed {
        body: body.clone(),
        deadline: Box::pin(tokio::time::sleep(REQUEST_WITHIN)),
        late: late.clone(),
    };
    req.set_payload(Payload::Stream {
        payload: Box::pin(timed),
    });
    let res = next.call(req).await;
    let res = match (res, late.get()) {
        (res, false) => res?.map_into_boxed_body(),
        (Ok(res), true) => {
            let mut late_answer = too_late().error_response();
            late_answer
                .head_mut()
                .set_connection_type(ConnectionType::Close);
            ServiceResponse::new(res.into_parts().0, late_answer)
        }
        (Err(_), true) => return Err(too_late().into()),
    };
    Ok(res
        .map_body(|_, b| HoldsRequestBody {
            body: b,
            _request_body: Some(body),
            _watch: watch,
        })
        .map_into_right_body())
}

fn too_late() -> ApiError {
    ApiError::new(
        StatusCode::REQUEST_TIMEOUT,
        ErrorCode::Timeout,
        format!(
            "the request did not arrive within {} s",
            REQUEST_WITHIN.as_secs()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_holds_its_share_of_connections_and_a_proxy_is_not_capped() {
        let proxy: ipnet::IpNet = "10.0.0.5/32".parse().unwrap();
        let cap = ConnectionCap::new(2, &[proxy]);
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let a = cap.admit(ip("203.0.113.7"));
        let b = cap.admit(ip("::ffff:203.0.113.7"));
        assert!(matches!((&a, &b), (Admitted::Held(_), Admitted::Held(_))));
        assert!(matches!(cap.admit(ip("203.0.113.7")), Admitted::Refused));
        assert!(matches!(cap.admit(ip("203.0.113.8")), Admitted::Held(_)));
        drop(a);
        assert_eq!(
            cap.live(ip("203.0.113.7")),
            1,
            "a closed one is counted out"
        );
        assert!(matches!(cap.admit(ip("203.0.113.7")), Admitted::Held(_)));
        let (v6a, v6b) = (cap.admit(ip("2001:db8::1")), cap.admit(ip("2001:db8::2")));
        assert!(matches!(
            (&v6a, &v6b),
            (Admitted::Held(_), Admitted::Held(_))
        ));
        assert!(
            matches!(cap.admit(ip("2001:db8::3")), Admitted::Refused),
            "one /64"
        );
        assert!((0..10).all(|_| matches!(cap.admit(ip("10.0.0.5")), Admitted::Free)));
        let off = ConnectionCap::new(0, &[]);
        assert!((0..10).all(|_| matches!(off.admit(ip("203.0.113.7")), Admitted::Free)));
    }

    #[test]
    fn connections_leave_room_for_the_rest_of_the_process() {
        assert_eq!(max_connections(20_000, 2), (20_000 - 512) / 2);
        assert_eq!(max_connections(1024, 2), 256);
        assert_eq!(max_connections(100, 2), 64, "never fewer than 64");
        assert_eq!(
            max_connections(u64::MAX, 2),
            25_000,
            "actix's default at most"
        );
        let (before, after) = raise_fd_limit().unwrap();
        assert!(after >= before, "{before} -> {after}");
    }
}
