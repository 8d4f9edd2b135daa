//! End-to-end load over loopback: every framework's demo app against a static twin of it.
//!
//! ```sh
//! cargo bench --bench load --all-features
//! DENIED_LOAD_FRAMEWORKS=axum,warp DENIED_LOAD_ROUNDS=41 cargo bench --bench load --all-features
//! ```
//!
//! For each framework, two servers run as child processes of this program: the demo app of
//! `examples/<framework>.rs` with its `ErrorLayer` (or the framework's equivalent) and its
//! settings, and a twin on the same framework that answers the measured routes with a prebuilt
//! static response: the status, headers and body the demo sent for that request, recorded from
//! the demo and checked against the twin's own answer before measuring. A client of this
//! program's own (HTTP/1.1 keep-alive, one request in flight per connection) then loads each in
//! turn, interleaved round by round, so that a machine whose speed drifts slows both alike. It
//! reports the demo's throughput as a ratio to the twin's (the median of the rounds' ratios,
//! with the quartiles), the requests per second, the server's CPU time per request (Linux's
//! `/proc`), and p50/p99 latency. A control row per framework loads two identical twins against
//! each other: how far apart two identical servers land on this machine.
//!
//! Bounded: loopback only, `DENIED_LOAD_CONNECTIONS` connections (16 by default, at most 256),
//! `DENIED_LOAD_MILLIS` per window (250 by default, at most 60,000), `DENIED_LOAD_ROUNDS` rounds
//! (21 by default, at most 1,000). `DENIED_LOAD_FRAMEWORKS` picks frameworks by name;
//! `DENIED_FORMAT` is passed on to the demo apps, as when they run on their own. Not part of CI:
//! run it on demand (about ten minutes for the seven frameworks).

// Each example declares the shared `demo` module so that it runs on its own; here the seven
// are compiled together, so each carries its own copy.
#![allow(clippy::duplicate_mod)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[allow(dead_code)]
#[path = "../examples/actix-web.rs"]
mod actix_web_app;
#[allow(dead_code)]
#[path = "../examples/axum.rs"]
mod axum_app;
#[allow(dead_code)]
#[path = "../examples/poem.rs"]
mod poem_app;
#[allow(dead_code)]
#[path = "../examples/rocket.rs"]
mod rocket_app;
#[allow(dead_code)]
#[path = "../examples/salvo.rs"]
mod salvo_app;
#[allow(dead_code)]
#[path = "../examples/tower.rs"]
mod tower_app;
#[allow(dead_code)]
#[path = "../examples/warp.rs"]
mod warp_app;

use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum_app::demo;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

type ServeDemo = fn(TcpListener, denied::Config) -> std::io::Result<()>;
type ServeTwin = fn(TcpListener) -> std::io::Result<()>;

struct Framework {
    name: &'static str,
    demo: ServeDemo,
    twin: ServeTwin,
}

const FRAMEWORKS: [Framework; 7] = [
    Framework {
        name: "axum",
        demo: axum_app::serve,
        twin: twins::axum,
    },
    Framework {
        name: "actix-web",
        demo: actix_web_app::serve,
        twin: twins::actix_web,
    },
    Framework {
        name: "warp",
        demo: warp_app::serve,
        twin: twins::warp,
    },
    Framework {
        name: "tower",
        demo: tower_app::serve,
        twin: twins::tower,
    },
    Framework {
        name: "poem",
        demo: poem_app::serve,
        twin: twins::poem,
    },
    Framework {
        name: "salvo",
        demo: salvo_app::serve,
        twin: twins::salvo,
    },
    Framework {
        name: "rocket",
        demo: rocket_app::serve,
        twin: twins::rocket,
    },
];

/// A request the load repeats, and the share of the twin's throughput the demo must keep.
struct Case {
    label: &'static str,
    target: &'static str,
    token: &'static str,
    status: u16,
    goal: Option<f64>,
}

const CASES: [Case; 4] = [
    Case {
        label: "403 missing_role",
        target: "/admin/reports",
        token: "good",
        status: 403,
        goal: Some(0.97),
    },
    Case {
        label: "401 with challenge",
        target: "/me",
        token: "expired",
        status: 401,
        goal: Some(0.95),
    },
    Case {
        label: "concealed 404",
        target: "/repos/secret",
        token: "good",
        status: 404,
        goal: Some(0.97),
    },
    Case {
        label: "200",
        target: "/me",
        token: "good",
        status: 200,
        goal: None,
    },
];

/// What the twin answers: a response the demo sent, `Date` and the framing headers left out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Recorded {
    status: u16,
    /// `chunked` or `content-length`: how the body is framed.
    framing: String,
    headers: Vec<(String, String)>,
    body: String,
}

const RECORDED_ENV: &str = "DENIED_LOAD_RESPONSE";
const SERVE_ARG: &str = "--serve-for-load";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|arg| arg == SERVE_ARG) {
        let (role, framework) = (&args[at + 1], &args[at + 2]);
        if let Err(error) = serve_child(role, framework) {
            eprintln!("{framework} {role}: {error}");
            std::process::exit(2);
        }
        return;
    }
    run_load();
}

// ---------------------------------------------------------------------------------------------
// The servers

fn serve_child(role: &str, framework: &str) -> std::io::Result<()> {
    let framework = FRAMEWORKS
        .iter()
        .find(|known| known.name == framework)
        .ok_or_else(|| std::io::Error::other("no such framework"))?;
    // Everything that can fail is set up before the port is said.
    let config = match role {
        "demo" => Some(demo::config_from_env(false)),
        _ => {
            let recorded: Recorded =
                serde_json::from_str(&std::env::var(RECORDED_ENV).map_err(std::io::Error::other)?)
                    .map_err(std::io::Error::other)?;
            twins::prebuild(recorded)?;
            None
        }
    };
    // The server ends with the program that started it, however that one ends: its end
    // closes this process's stdin.
    std::thread::spawn(|| {
        let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
        std::process::exit(0);
    });
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
    let mut stdout = std::io::stdout();
    writeln!(stdout, "{}", listener.local_addr()?.port())?;
    stdout.flush()?;
    match config {
        Some(config) => (framework.demo)(listener, config),
        None => (framework.twin)(listener),
    }
}

/// The static twins: each framework routing the demo's paths to one prebuilt response.
mod twins {
    use super::*;

    /// The response, prebuilt once: its parts as `'static` data, and as `http` 1 headers.
    pub(super) struct Prebuilt {
        pub(super) status: http::StatusCode,
        pub(super) headers: http::HeaderMap,
        pub(super) pairs: Vec<(&'static str, &'static str)>,
        pub(super) body: &'static [u8],
    }

    static PREBUILT: OnceLock<Prebuilt> = OnceLock::new();

    pub(super) fn prebuild(recorded: Recorded) -> std::io::Result<()> {
        let leak = |text: String| -> &'static str { Box::leak(text.into_boxed_str()) };
        let pairs: Vec<(&'static str, &'static str)> = recorded
            .headers
            .into_iter()
            .map(|(name, value)| (leak(name), leak(value)))
            .collect();
        let mut headers = http::HeaderMap::new();
        for (name, value) in &pairs {
            headers.append(
                http::HeaderName::from_bytes(name.as_bytes()).map_err(std::io::Error::other)?,
                http::HeaderValue::from_str(value).map_err(std::io::Error::other)?,
            );
        }
        let prebuilt = Prebuilt {
            status: http::StatusCode::from_u16(recorded.status).map_err(std::io::Error::other)?,
            headers,
            pairs,
            body: leak(recorded.body).as_bytes(),
        };
        PREBUILT
            .set(prebuilt)
            .map_err(|_| std::io::Error::other("prebuilt twice"))
    }

    fn prebuilt() -> &'static Prebuilt {
        PREBUILT
            .get()
            .expect("the response is prebuilt before serving")
    }

    /// The prebuilt response as an `http` 1 response, for the frameworks built on it.
    fn http_response<B: From<Bytes>>() -> http::Response<B> {
        let prebuilt = prebuilt();
        let mut response = http::Response::new(B::from(Bytes::from_static(prebuilt.body)));
        *response.status_mut() = prebuilt.status;
        *response.headers_mut() = prebuilt.headers.clone();
        response
    }

    pub(super) fn axum(listener: TcpListener) -> std::io::Result<()> {
        use axum::routing::get;
        async fn answer() -> axum::response::Response {
            http_response()
        }
        let app = axum::Router::new()
            .route("/me", get(answer))
            .route("/admin/reports", get(answer))
            .route("/repos/{name}", get(answer));
        demo::serve_on_tokio(listener, |listener| async {
            axum::serve(listener, app).await
        })
    }

    pub(super) fn actix_web(listener: TcpListener) -> std::io::Result<()> {
        use actix_web::{web, App, HttpResponse, HttpServer};
        async fn answer() -> HttpResponse {
            let prebuilt = prebuilt();
            let status = actix_web::http::StatusCode::from_u16(prebuilt.status.as_u16())
                .expect("a status the demo sent");
            let mut response = HttpResponse::build(status);
            for (name, value) in &prebuilt.pairs {
                response.append_header((*name, *value));
            }
            response.body(Bytes::from_static(prebuilt.body))
        }
        actix_web::rt::System::new().block_on(async {
            HttpServer::new(|| {
                App::new()
                    .route("/me", web::get().to(answer))
                    .route("/admin/reports", web::get().to(answer))
                    .route("/repos/{name}", web::get().to(answer))
            })
            .workers(2)
            .disable_signals()
            .listen(listener)?
            .run()
            .await
        })
    }

    pub(super) fn warp(listener: TcpListener) -> std::io::Result<()> {
        use warp::Filter;
        fn answer() -> warp::reply::Response {
            http_response()
        }
        let routes = warp::get().and(
            warp::path!("me")
                .map(answer)
                .or(warp::path!("admin" / "reports").map(answer))
                .unify()
                .or(warp::path!("repos" / String).map(|_name: String| answer()))
                .unify(),
        );
        demo::serve_on_tokio(listener, |listener| async {
            warp::serve(routes).incoming(listener).run().await;
            Ok(())
        })
    }

    pub(super) fn tower(listener: TcpListener) -> std::io::Result<()> {
        use http_body_util::Full;
        use hyper_util::rt::{TokioExecutor, TokioIo};
        use hyper_util::server::conn::auto;
        use hyper_util::service::TowerToHyperService;

        async fn route(
            request: http::Request<hyper::body::Incoming>,
        ) -> Result<http::Response<Full<Bytes>>, std::convert::Infallible> {
            let path = request.uri().path();
            let routed = matches!(path, "/me" | "/admin/reports")
                || path
                    .strip_prefix("/repos/")
                    .is_some_and(|name| !name.is_empty() && !name.contains('/'));
            Ok(if routed {
                http_response()
            } else {
                let mut response = http::Response::new(Full::new(Bytes::new()));
                *response.status_mut() = http::StatusCode::NOT_FOUND;
                response
            })
        }
        let app = tower::service_fn(route);
        demo::serve_on_tokio(listener, |listener| async move {
            loop {
                let (stream, _) = listener.accept().await?;
                let service = TowerToHyperService::new(app);
                tokio::spawn(async move {
                    let connection = auto::Builder::new(TokioExecutor::new());
                    let _ = connection
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        })
    }

    pub(super) fn poem(listener: TcpListener) -> std::io::Result<()> {
        use poem::listener::TcpAcceptor;
        use poem::{get, handler, Route};
        #[handler]
        fn answer() -> poem::Response {
            let prebuilt = prebuilt();
            let mut response = poem::Response::from(Bytes::from_static(prebuilt.body));
            response.set_status(prebuilt.status);
            *response.headers_mut() = prebuilt.headers.clone();
            response
        }
        let app = Route::new()
            .at("/me", get(answer))
            .at("/admin/reports", get(answer))
            .at("/repos/:name", get(answer));
        demo::serve_on_tokio(listener, |listener| async {
            let acceptor = TcpAcceptor::from_tokio(listener)?;
            poem::Server::new_with_acceptor(acceptor).run(app).await
        })
    }

    pub(super) fn salvo(listener: TcpListener) -> std::io::Result<()> {
        use salvo::conn::tcp::TcpAcceptor;
        use salvo::http::ResBody;
        use salvo::prelude::*;
        #[handler]
        async fn answer(res: &mut Response) {
            let prebuilt = prebuilt();
            res.status_code(prebuilt.status);
            *res.headers_mut() = prebuilt.headers.clone();
            res.body(ResBody::Once(Bytes::from_static(prebuilt.body)));
        }
        let router = Router::new()
            .push(Router::with_path("me").get(answer))
            .push(Router::with_path("admin/reports").get(answer))
            .push(Router::with_path("repos/{name}").get(answer));
        demo::serve_on_tokio(listener, |listener| async move {
            let acceptor = TcpAcceptor::try_from(listener)?;
            Server::new(acceptor).serve(Service::new(router)).await;
            Ok(())
        })
    }

    pub(super) fn rocket(listener: TcpListener) -> std::io::Result<()> {
        use rocket::http::{Header, Status};
        use rocket::response::{self, Responder};
        use rocket::{get, routes, Request};

        struct Answer;

        impl<'r> Responder<'r, 'static> for Answer {
            fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
                let prebuilt = prebuilt();
                let mut response = rocket::Response::new();
                response.set_status(Status::new(prebuilt.status.as_u16()));
                for (name, value) in &prebuilt.pairs {
                    response.adjoin_header(Header::new(*name, *value));
                }
                response.set_sized_body(prebuilt.body.len(), std::io::Cursor::new(prebuilt.body));
                Ok(response)
            }
        }

        #[get("/me")]
        fn me() -> Answer {
            Answer
        }
        #[get("/admin/reports")]
        fn admin_reports() -> Answer {
            Answer
        }
        #[get("/repos/<_name>")]
        fn repo(_name: &str) -> Answer {
            Answer
        }

        // rocket binds its own socket: the listener only reserved the port.
        let port = listener.local_addr()?.port();
        drop(listener);
        let settings = rocket::Config {
            address: std::net::IpAddr::V4(Ipv4Addr::LOCALHOST),
            port,
            ident: rocket::config::Ident::none(),
            log_level: rocket::config::LogLevel::Off,
            ..rocket::Config::default()
        };
        let app = rocket::custom(settings)
            .mount("/", routes![me, admin_reports, repo])
            .attach(rocket::shield::Shield::new());
        rocket::execute(app.launch())
            .map(drop)
            .map_err(std::io::Error::other)
    }
}

// ---------------------------------------------------------------------------------------------
// The load

struct Settings {
    connections: usize,
    window: Duration,
    rounds: usize,
    frameworks: Vec<&'static Framework>,
}

fn bounded(name: &str, default: u64, max: u64) -> u64 {
    match std::env::var(name) {
        Ok(text) => match text.parse::<u64>() {
            Ok(value) if (1..=max).contains(&value) => value,
            _ => panic!("{name}={text:?}: a whole number from 1 to {max}"),
        },
        Err(_) => default,
    }
}

fn settings() -> Settings {
    let frameworks = match std::env::var("DENIED_LOAD_FRAMEWORKS") {
        Ok(names) => names
            .split(',')
            .map(|name| {
                FRAMEWORKS
                    .iter()
                    .find(|known| known.name == name.trim())
                    .unwrap_or_else(|| panic!("DENIED_LOAD_FRAMEWORKS: no framework {name:?}"))
            })
            .collect(),
        Err(_) => FRAMEWORKS.iter().collect(),
    };
    Settings {
        connections: bounded("DENIED_LOAD_CONNECTIONS", 16, 256) as usize,
        window: Duration::from_millis(bounded("DENIED_LOAD_MILLIS", 250, 60_000)),
        rounds: bounded("DENIED_LOAD_ROUNDS", 21, 1_000) as usize,
        frameworks,
    }
}

/// A server of ours in a child process, killed when dropped.
struct Server {
    child: Child,
    address: SocketAddr,
}

impl Server {
    fn start(role: &str, framework: &str, recorded: Option<&Recorded>) -> Server {
        let mut command = Command::new(std::env::current_exe().expect("this program's path"));
        command
            .args([SERVE_ARG, role, framework])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(recorded) = recorded {
            command.env(RECORDED_ENV, serde_json::to_string(recorded).expect("JSON"));
        }
        let child = command.spawn().expect("start a server");
        // Killed when dropped, from here on: a panic below does not leave it running.
        let mut server = Server {
            child,
            address: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        };
        let mut line = String::new();
        BufReader::new(server.child.stdout.take().expect("piped"))
            .read_line(&mut line)
            .expect("the server's port");
        let port: u16 = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{framework} {role} did not start (see its error above)"));
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        server.address = address;
        // rocket binds its port after saying it (the port is reserved by a listener that
        // accepts nothing, then dropped): the server is up once a request gets an answer.
        let started = Instant::now();
        let answers = |address| {
            let Ok(mut stream) = std::net::TcpStream::connect(address) else {
                return false;
            };
            // A connection to itself (its source port chosen as the port it calls, while
            // nothing listens there) is no server.
            if stream.local_addr().ok() == stream.peer_addr().ok() {
                return false;
            }
            let mut first = [0u8; 5];
            stream
                .set_read_timeout(Some(Duration::from_millis(500)))
                .is_ok()
                && stream
                    .write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .is_ok()
                && std::io::Read::read_exact(&mut stream, &mut first).is_ok()
                && &first == b"HTTP/"
        };
        while !answers(address) {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("{framework} {role} ended ({status}) before it answered");
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{framework} {role} does not answer"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        server
    }
}

impl Server {
    /// The CPU time the server has used so far, user and system, from `/proc` (Linux; zero
    /// elsewhere). `/proc` counts in ticks of 1/100 s (`USER_HZ`, fixed on Linux).
    fn cpu_time(&self) -> Duration {
        let ticks = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id()))
            .ok()
            .and_then(|stat| {
                // The fields after the command name, which is in parentheses.
                let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
                let user: u64 = fields.get(11)?.parse().ok()?;
                let system: u64 = fields.get(12)?.parse().ok()?;
                Some(user + system)
            })
            .unwrap_or(0);
        Duration::from_millis(ticks * 10)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn request_bytes(case: &Case) -> Vec<u8> {
    format!(
        "GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\n\r\n",
        case.target, case.token
    )
    .into_bytes()
}

/// One response read off a keep-alive connection: its status, headers and body.
struct Read {
    status: u16,
    body_len: usize,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Reads one response from `stream`, `buffer` holding what was read past the last one.
async fn read_response(
    stream: &mut tokio::net::TcpStream,
    buffer: &mut Vec<u8>,
    keep: bool,
) -> std::io::Result<Read> {
    let invalid =
        |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned());
    loop {
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut response = httparse::Response::new(&mut headers);
        if let httparse::Status::Complete(head_len) = response
            .parse(buffer)
            .map_err(|_| invalid("not an HTTP response"))?
        {
            let status = response.code.unwrap_or(0);
            let mut content_length = None;
            let mut chunked = false;
            for header in response.headers.iter() {
                if header.name.eq_ignore_ascii_case("content-length") {
                    content_length = std::str::from_utf8(header.value)
                        .ok()
                        .and_then(|text| text.trim().parse::<usize>().ok());
                } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
                    chunked = header.value.eq_ignore_ascii_case(b"chunked");
                }
            }
            let kept_headers = if keep {
                response
                    .headers
                    .iter()
                    .map(|header| {
                        (
                            header.name.to_ascii_lowercase(),
                            String::from_utf8_lossy(header.value).into_owned(),
                        )
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let framed = if chunked {
                dechunk(&buffer[head_len..])?
            } else {
                let length = content_length.ok_or_else(|| invalid("no Content-Length"))?;
                (buffer.len() >= head_len + length)
                    .then(|| (buffer[head_len..head_len + length].to_vec(), length))
            };
            if let Some((body, body_len)) = framed {
                buffer.drain(..head_len + body_len);
                return Ok(Read {
                    status,
                    body_len: if chunked { body.len() } else { body_len },
                    headers: kept_headers,
                    body: if keep { body } else { Vec::new() },
                });
            }
        }
        let mut chunk = [0u8; 8192];
        let read = stream.read(&mut chunk).await?;
        if read == 0 {
            return Err(invalid("the server closed the connection"));
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
}

/// A chunked body, and how many bytes it took, once all of it has arrived.
fn dechunk(mut bytes: &[u8]) -> std::io::Result<Option<(Vec<u8>, usize)>> {
    let total = bytes.len();
    let mut body = Vec::new();
    loop {
        let Some(line_end) = bytes.windows(2).position(|pair| pair == b"\r\n") else {
            return Ok(None);
        };
        let size_text = std::str::from_utf8(&bytes[..line_end]).unwrap_or("");
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "chunk size"))?;
        let data_start = line_end + 2;
        if size == 0 {
            // No trailers are expected: the empty line ends the body.
            if bytes.len() < data_start + 2 {
                return Ok(None);
            }
            return Ok(Some((body, total - bytes.len() + data_start + 2)));
        }
        if bytes.len() < data_start + size + 2 {
            return Ok(None);
        }
        body.extend_from_slice(&bytes[data_start..data_start + size]);
        bytes = &bytes[data_start + size + 2..];
    }
}

/// One request and its whole response, for recording and checking.
async fn fetch(address: SocketAddr, case: &Case) -> Read {
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    stream.write_all(&request_bytes(case)).await.expect("send");
    let mut buffer = Vec::new();
    read_response(&mut stream, &mut buffer, true)
        .await
        .expect("a response")
}

/// The response as the twin must send it: what varies by request or framing left out.
fn recorded(read: &Read) -> Recorded {
    const LEFT_OUT: [&str; 4] = ["date", "content-length", "transfer-encoding", "connection"];
    let mut headers: Vec<(String, String)> = read
        .headers
        .iter()
        .filter(|(name, _)| !LEFT_OUT.contains(&name.as_str()))
        .cloned()
        .collect();
    headers.sort();
    let chunked = read
        .headers
        .iter()
        .any(|(name, value)| name == "transfer-encoding" && value.eq_ignore_ascii_case("chunked"));
    Recorded {
        status: read.status,
        framing: if chunked { "chunked" } else { "content-length" }.to_owned(),
        headers,
        body: String::from_utf8(read.body.clone()).expect("the demo's bodies are UTF-8"),
    }
}

/// What one window of load measured.
struct Window {
    requests: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Window {
    fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
}

/// `connections` connections each sending `request` again as soon as its answer is read,
/// until `window` has passed; every answer must have `status`.
async fn load(
    address: SocketAddr,
    request: &[u8],
    (status, body_len): (u16, usize),
    connections: usize,
    window: Duration,
) -> Window {
    let started = Instant::now();
    let deadline = started + window;
    let request: std::sync::Arc<[u8]> = request.into();
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let request = request.clone();
            tokio::spawn(async move {
                let mut stream = tokio::net::TcpStream::connect(address)
                    .await
                    .expect("connect");
                stream.set_nodelay(true).expect("nodelay");
                let mut buffer = Vec::with_capacity(8192);
                let mut latencies = Vec::with_capacity(65_536);
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    stream.write_all(&request).await.expect("send");
                    let read = read_response(&mut stream, &mut buffer, false)
                        .await
                        .expect("a response");
                    latencies.push(sent.elapsed());
                    assert_eq!(read.status, status, "a response of another status");
                    assert_eq!(read.body_len, body_len, "a body of another length");
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("a connection's task"));
    }
    Window {
        requests: latencies.len(),
        elapsed: started.elapsed(),
        latencies,
    }
}

fn percentile(sorted: &[Duration], share: f64) -> Duration {
    let at = ((sorted.len().max(1) - 1) as f64 * share).round() as usize;
    sorted.get(at).copied().unwrap_or_default()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        len if len % 2 == 1 => values[len / 2],
        len => (values[len / 2 - 1] + values[len / 2]) / 2.0,
    }
}

/// One row of the results: an app against the static twin, or a control (a second twin
/// against the first), which shows how far two identical servers differ on this machine.
struct Row {
    framework: &'static str,
    case: String,
    ratio: f64,
    ratio_spread: (f64, f64),
    per_second: [f64; 2],
    cpu_per_request: [Duration; 2],
    latency: [(Duration, Duration); 2],
    goal: Option<f64>,
}

/// What [`compare`] measured of each server (index 0 and 1), and the rounds' ratios of the
/// first's throughput to the second's.
struct Measured {
    per_second: [Vec<f64>; 2],
    latencies: [Vec<Duration>; 2],
    cpu_per_request: [Duration; 2],
    ratios: Vec<f64>,
}

/// Loads `servers[0]` and `servers[1]` in turn, round by round, with the same request.
fn compare(
    runtime: &tokio::runtime::Runtime,
    settings: &Settings,
    servers: [&Server; 2],
    request: &[u8],
    expected: (u16, usize),
) -> Measured {
    let mut per_second = [Vec::new(), Vec::new()];
    let mut latencies = [Vec::new(), Vec::new()];
    let mut cpu = [Duration::ZERO; 2];
    let mut requests = [0usize; 2];
    let mut ratios = Vec::new();
    // A short warm-up of each, not counted.
    for server in servers {
        let window = settings.window / 4;
        runtime.block_on(load(
            server.address,
            request,
            expected,
            settings.connections,
            window,
        ));
    }
    for round in 0..settings.rounds {
        let mut round_rates = [0.0; 2];
        // Alternate which goes first, so that neither always follows the other.
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for which in order {
            let cpu_before = servers[which].cpu_time();
            let window = runtime.block_on(load(
                servers[which].address,
                request,
                expected,
                settings.connections,
                settings.window,
            ));
            cpu[which] += servers[which].cpu_time().saturating_sub(cpu_before);
            requests[which] += window.requests;
            round_rates[which] = window.per_second();
            per_second[which].push(window.per_second());
            latencies[which].extend(window.latencies);
        }
        ratios.push(round_rates[0] / round_rates[1]);
    }
    let cpu_per_request = [0, 1].map(|which| cpu[which] / requests[which].max(1) as u32);
    Measured {
        per_second,
        latencies,
        cpu_per_request,
        ratios,
    }
}

fn row(framework: &'static str, case: String, goal: Option<f64>, measured: Measured) -> Row {
    let Measured {
        per_second,
        latencies,
        cpu_per_request,
        mut ratios,
    } = measured;
    ratios.sort_by(f64::total_cmp);
    let quartile = |share: f64| ratios[((ratios.len() - 1) as f64 * share).round() as usize];
    let row = Row {
        framework,
        case,
        ratio: median(ratios.clone()),
        ratio_spread: (quartile(0.25), quartile(0.75)),
        per_second: per_second.map(median),
        cpu_per_request,
        latency: latencies.map(|mut all| {
            all.sort_unstable();
            (percentile(&all, 0.50), percentile(&all, 0.99))
        }),
        goal,
    };
    eprintln!(
        "{:<10} {:<32} {:>7.0}/s against {:>7.0}/s  {:.3}x ({:.3} to {:.3})",
        row.framework,
        row.case,
        row.per_second[0],
        row.per_second[1],
        row.ratio,
        row.ratio_spread.0,
        row.ratio_spread.1
    );
    row
}

fn measure(
    runtime: &tokio::runtime::Runtime,
    settings: &Settings,
    framework: &'static Framework,
) -> Vec<Row> {
    let demo = Server::start("demo", framework.name, None);
    let mut rows = Vec::new();
    for (at, case) in CASES.iter().enumerate() {
        let sent = runtime.block_on(fetch(demo.address, case));
        assert_eq!(
            sent.status, case.status,
            "{} demo, {}",
            framework.name, case.label
        );
        let expected = recorded(&sent);
        let twin = Server::start("twin", framework.name, Some(&expected));
        let twin_sent = recorded(&runtime.block_on(fetch(twin.address, case)));
        assert_eq!(
            twin_sent, expected,
            "{}: the twin must send what the demo sends for {}",
            framework.name, case.label
        );
        let request = request_bytes(case);
        let answer = (case.status, expected.body.len());
        let measured = compare(runtime, settings, [&demo, &twin], &request, answer);
        rows.push(row(
            framework.name,
            case.label.to_owned(),
            case.goal,
            measured,
        ));
        if at == 0 {
            let second_twin = Server::start("twin", framework.name, Some(&expected));
            let measured = compare(runtime, settings, [&second_twin, &twin], &request, answer);
            let label = format!("control: two twins, {}", case.label);
            rows.push(row(framework.name, label, None, measured));
        }
    }
    rows
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split(':').nth(1))
                .map(|name| name.trim().to_owned())
        })
        .unwrap_or_else(|| "an unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    format!("{cores} cores of {cpu}")
}

/// CPU time per request; zero where `/proc` cannot say (not Linux).
fn cpu(duration: Duration) -> String {
    if duration.is_zero() {
        "n/a".to_owned()
    } else {
        micros(duration)
    }
}

fn micros(duration: Duration) -> String {
    let micros = duration.as_secs_f64() * 1e6;
    if micros < 100.0 {
        format!("{micros:.1} µs")
    } else {
        format!("{micros:.0} µs")
    }
}

fn run_load() {
    let settings = settings();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    eprintln!(
        "load over loopback: {} connections, {} rounds of {:?} per app and case, on {}",
        settings.connections,
        settings.rounds,
        settings.window,
        machine()
    );
    let mut rows = Vec::new();
    for framework in &settings.frameworks {
        rows.extend(measure(&runtime, &settings, framework));
    }

    println!();
    println!(
        "{} connections, {} rounds of {:?} per app and case (medians of the rounds), on {}; body format: {}",
        settings.connections,
        settings.rounds,
        settings.window,
        machine(),
        std::env::var("DENIED_FORMAT").unwrap_or_else(|_| "json".to_owned()),
    );
    println!();
    println!(
        "| framework | request | ratio (quartiles) | goal | app req/s | twin req/s \
         | app CPU per request | twin CPU per request | app p50 / p99 | twin p50 / p99 |"
    );
    println!("|---|---|---:|---|---:|---:|---:|---:|---:|---:|");
    let mut missed = 0;
    for row in &rows {
        let goal = match row.goal {
            Some(goal) if row.ratio >= goal => format!("≥ {goal:.2}: met"),
            Some(goal) => {
                missed += 1;
                format!("≥ {goal:.2}: **missed**")
            }
            None => String::new(),
        };
        println!(
            "| {} | {} | {:.3}x ({:.3} to {:.3}) | {} | {:.0} | {:.0} | {} | {} | {} / {} | {} / {} |",
            row.framework,
            row.case,
            row.ratio,
            row.ratio_spread.0,
            row.ratio_spread.1,
            goal,
            row.per_second[0],
            row.per_second[1],
            cpu(row.cpu_per_request[0]),
            cpu(row.cpu_per_request[1]),
            micros(row.latency[0].0),
            micros(row.latency[0].1),
            micros(row.latency[1].0),
            micros(row.latency[1].1),
        );
    }
    if missed > 0 {
        println!();
        println!("{missed} goal(s) missed");
    }
}
