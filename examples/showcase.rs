//! Every framework's demo app in one process, asked the same questions over real sockets.
//!
//! ```sh
//! cargo run --example showcase --all-features
//! DENIED_FORMAT=problem cargo run --example showcase --all-features
//! cargo run --example showcase --all-features -- --table
//! ```
//!
//! Prints one short line per request (the status, and whether every framework sent the same
//! bytes), then each distinct response once, whole, then the code each framework needs; all
//! within 100 columns. `--table` prints the wide table of the old showcase instead, one column
//! per framework. Any disagreement between frameworks (`Date` aside) is printed as a diff and
//! makes the command exit non-zero.

// Each example declares the shared `demo` module so that it runs on its own; here the seven
// are compiled together, so each carries its own copy.
#![allow(clippy::duplicate_mod)]

#[allow(dead_code)]
#[path = "actix-web.rs"]
mod actix_web_app;
#[allow(dead_code)]
#[path = "axum.rs"]
mod axum_app;
#[allow(dead_code)]
#[path = "poem.rs"]
mod poem_app;
#[allow(dead_code)]
#[path = "rocket.rs"]
mod rocket_app;
#[allow(dead_code)]
#[path = "salvo.rs"]
mod salvo_app;
#[allow(dead_code)]
#[path = "tower.rs"]
mod tower_app;
#[allow(dead_code)]
#[path = "warp.rs"]
mod warp_app;

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

use axum_app::demo;
use demo::ShowcaseRequest;

type Serve = fn(TcpListener, denied::Config) -> std::io::Result<()>;

const FRAMEWORKS: [(&str, Serve); 7] = [
    ("axum", axum_app::serve),
    ("actix-web", actix_web_app::serve),
    ("warp", warp_app::serve),
    ("tower", tower_app::serve),
    ("poem", poem_app::serve),
    ("salvo", salvo_app::serve),
    ("rocket", rocket_app::serve),
];

/// The widest line the showcase prints.
const COLUMNS: usize = 100;

/// The code each framework needs, shown at the end.
const CODE: [(&str, &str); 7] = [
    (
        "axum",
        "async fn handler(token: BearerToken) -> Result<Json<T>, HttpError> { Err(Forbidden::new())? }\n\
         Router::new().fallback(denied::axum::not_found).layer(denied::axum::ErrorLayer::new())",
    ),
    (
        "actix-web",
        "async fn handler(token: BearerToken) -> Result<Json<T>, HttpError> { Err(Forbidden::new())? }\n\
         App::new().configure(denied::actix_web::extractor_errors)\n\
         \u{20}   .default_service(web::to(denied::actix_web::not_found))\n\
         \u{20}   .wrap(denied::actix_web::ErrorHandling::new())",
    ),
    (
        "warp",
        "path.and(denied::warp::allow([GET])).and(denied::warp::bearer_token())\n\
         \u{20}   .and_then(|token| async { Err::<Json, _>(reject::custom(Forbidden::new())) })\n\
         denied::warp::error_handling(routes)",
    ),
    (
        "tower",
        "async fn handler(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, HttpError> {\n\
         \u{20}   BearerToken::from_headers(request.headers())?; Err(Forbidden::new())? }\n\
         denied::tower::ErrorLayer::new().layer(service_fn(handler)) // served by hyper",
    ),
    (
        "poem",
        "#[handler] fn handler(token: BearerToken) -> Result<Json<T>, HttpError> { Err(Forbidden::new())? }\n\
         Route::new().at(\"/admin\", get(handler).with(denied::poem::allow([GET])))\n\
         \u{20}   .with(denied::poem::ErrorHandling::new())",
    ),
    (
        "salvo",
        "#[handler] async fn handler(req: &mut Request) -> Result<Json<T>, HttpError> {\n\
         \u{20}   BearerToken::from_headers(req.headers())?; Err(Forbidden::new())? }\n\
         Service::new(Router::with_path(\"admin\").get(handler).head(handler))\n\
         \u{20}   .hoop(denied::salvo::ErrorHandling::new())",
    ),
    (
        "rocket",
        "#[get(\"/admin\")] fn handler(token: BearerToken) -> Result<Json<T>, HttpError> {\n\
         \u{20}   Err(Forbidden::new())? }\n\
         rocket::build().mount(\"/\", routes![handler])\n\
         \u{20}   .attach(denied::rocket::ErrorHandling::new())",
    ),
];

struct Answer {
    status: u16,
    /// Header lines but `Date`, names lower-cased, sorted.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(known, _)| known == name)
            .map(|(_, value)| value.as_str())
            .collect()
    }

    fn summary(&self) -> String {
        let challenge = self.header("www-authenticate").join(" | ");
        let retry_after = self.header("retry-after").join(",");
        let mut parts = vec![self.status.to_string()];
        if !challenge.is_empty() {
            parts.push(shorten(&challenge, 60));
        }
        if !retry_after.is_empty() {
            parts.push(format!("Retry-After: {retry_after}"));
        }
        parts.push(shorten(&String::from_utf8_lossy(&self.body), 60));
        parts.join(" · ")
    }
}

fn shorten(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(limit - 1).collect();
    short.push('…');
    short
}

/// Waits up to 10 seconds until the app on `address` answers a request: rocket binds its own
/// socket once the showcase has freed the port it reserved.
fn wait_until_answering(address: SocketAddr) {
    for _ in 0..200 {
        if ask(address, &demo::REQUESTS[0]).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!("no app answers on {address}");
}

fn ask(address: SocketAddr, request: &ShowcaseRequest) -> Result<Answer, String> {
    let mut stream = TcpStream::connect(address).map_err(|error| error.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|error| error.to_string())?;
    let mut raw_request = format!(
        "{} {} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n",
        request.method, request.target
    )
    .into_bytes();
    for (name, value) in request.headers {
        raw_request.extend_from_slice(format!("{name}: ").as_bytes());
        raw_request.extend_from_slice(value);
        raw_request.extend_from_slice(b"\r\n");
    }
    if let Some(body) = request.body {
        raw_request.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    raw_request.extend_from_slice(b"\r\n");
    raw_request.extend_from_slice(request.body.unwrap_or_default());
    // A server may answer a body it refuses before reading it, and close: that is its answer.
    let _ = stream.write_all(&raw_request);
    let mut raw = Vec::new();
    if let Err(error) = stream.read_to_end(&mut raw) {
        if raw.is_empty() {
            return Err(error.to_string());
        }
    }
    let mut storage = [httparse::EMPTY_HEADER; 32];
    let mut response = httparse::Response::new(&mut storage);
    let head_len = match response.parse(&raw).map_err(|error| error.to_string())? {
        httparse::Status::Complete(len) => len,
        httparse::Status::Partial => return Err("incomplete response".into()),
    };
    let mut headers: Vec<(String, String)> = response
        .headers
        .iter()
        .filter(|header| !header.name.eq_ignore_ascii_case("date"))
        .map(|header| {
            (
                header.name.to_ascii_lowercase(),
                String::from_utf8_lossy(header.value).into_owned(),
            )
        })
        .collect();
    headers.sort();
    Ok(Answer {
        status: response.code.unwrap_or_default(),
        headers,
        body: raw[head_len..].to_vec(),
    })
}

fn differences(reference: &Answer, other: &Answer) -> Vec<String> {
    let mut lines = Vec::new();
    if reference.status != other.status {
        lines.push(format!(
            "- status {}\n+ status {}",
            reference.status, other.status
        ));
    }
    for header in &reference.headers {
        if !other.headers.contains(header) {
            lines.push(format!("- {}: {}", header.0, header.1));
        }
    }
    for header in &other.headers {
        if !reference.headers.contains(header) {
            lines.push(format!("+ {}: {}", header.0, header.1));
        }
    }
    if reference.body != other.body {
        lines.push(format!("- {}", String::from_utf8_lossy(&reference.body)));
        lines.push(format!("+ {}", String::from_utf8_lossy(&other.body)));
    }
    lines
}

/// The request as one short line: method, target and what is special about it.
fn describe(request: &ShowcaseRequest) -> String {
    format!("{} {} ({})", request.method, request.target, request.label)
}

/// `text` cut into lines of at most `width` characters, continuation lines indented: at a
/// space where there is one, so that a header value is not cut mid-word.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for line in text.lines() {
        let characters: Vec<char> = line.chars().collect();
        let mut rest = characters.as_slice();
        let mut indent = "";
        while rest.len() + indent.len() > width {
            let room = width - indent.len();
            let take = rest[..room]
                .iter()
                .rposition(|character| *character == ' ')
                .filter(|&space| space > 0)
                .map_or(room, |space| space + 1);
            let taken: String = rest[..take].iter().collect();
            lines.push(format!("{indent}{}", taken.trim_end()));
            rest = &rest[take..];
            indent = "    ";
        }
        lines.push(format!("{indent}{}", rest.iter().collect::<String>()));
    }
    lines
}

/// A response as a client reads it: status, headers but `Date`, and the body (pretty-printed
/// when it is JSON, so that it fits the screen).
fn render_whole(answer: &Answer) -> Vec<String> {
    let mut text = format!("HTTP {}\n", answer.status);
    for (name, value) in &answer.headers {
        text.push_str(&format!("{name}: {value}\n"));
    }
    if !answer.body.is_empty() {
        text.push('\n');
        match serde_json::from_slice::<serde_json::Value>(&answer.body) {
            Ok(json) => {
                let pretty = serde_json::to_string_pretty(&json).unwrap_or_default();
                text.push_str(&pretty);
                text.push_str(&format!("\n({} bytes on the wire)", answer.body.len()));
            }
            Err(_) => text.push_str(&String::from_utf8_lossy(&answer.body)),
        }
    }
    wrap(&text, COLUMNS - 4)
        .into_iter()
        .map(|line| format!("    {line}"))
        .collect()
}

/// Replaces the default panic message, which would print the demo's planted secret for every
/// framework's `GET /panic`, with one announced line: the crate's 500 never carries that text,
/// and neither does this output. An app does the same where its panics should reach a log
/// without their text on stderr.
fn announce_panics_once() {
    let announced = std::sync::atomic::AtomicBool::new(false);
    std::panic::set_hook(Box::new(move |_| {
        if !announced.swap(true, std::sync::atomic::Ordering::Relaxed) {
            eprintln!(
                "(GET /panic makes each framework's handler panic on purpose; the crate answers \
                 with its generic 500, and the panic messages are not printed here)"
            );
        }
    }));
}

fn main() -> ExitCode {
    announce_panics_once();
    let wide_table = std::env::args().any(|argument| argument == "--table");
    let config = demo::config_from_env(false);
    let mut addresses = Vec::new();
    // rocket installs a process-wide logger when it is built, which prints the other
    // frameworks' log lines until rocket lifts off with its own level (off): it starts first,
    // and the others once it listens.
    let rocket_first = FRAMEWORKS
        .iter()
        .filter(|(name, _)| *name == "rocket")
        .chain(FRAMEWORKS.iter().filter(|(name, _)| *name != "rocket"));
    for &(name, serve) in rocket_first {
        let listener = match TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))) {
            Ok(listener) => listener,
            Err(error) => {
                eprintln!("cannot listen for {name}: {error}");
                return ExitCode::FAILURE;
            }
        };
        let address = listener.local_addr().ok();
        let config = config.clone();
        std::thread::spawn(move || {
            if let Err(error) = serve(listener, config) {
                eprintln!("{name} stopped: {error}");
            }
        });
        if let (Some(address), "rocket") = (address, name) {
            wait_until_answering(address);
        }
        addresses.extend(address.map(|address| (name, address)));
    }
    addresses.sort_by_key(|(name, _)| FRAMEWORKS.iter().position(|(known, _)| known == name));
    let names: Vec<&str> = addresses.iter().map(|(name, _)| *name).collect();

    let mut disagreements = Vec::new();
    let mut rows = Vec::new();
    // Each distinct response of the reference framework, with the requests that got it.
    let mut distinct: Vec<(Answer, Vec<usize>)> = Vec::new();
    for (index, request) in demo::REQUESTS.iter().enumerate() {
        let number = index + 1;
        let row_name = describe(request);
        let answers: Vec<(&str, Result<Answer, String>)> = addresses
            .iter()
            .map(|(name, address)| (*name, ask(*address, request)))
            .collect();
        let mut agreed = true;
        match answers.first() {
            Some((reference_name, Ok(reference))) => {
                for (name, answer) in &answers[1..] {
                    let lines = match answer {
                        Ok(answer) => differences(reference, answer),
                        Err(error) => vec![format!("no answer: {error}")],
                    };
                    if !lines.is_empty() {
                        agreed = false;
                        disagreements.push(format!(
                            "{number}. {row_name}: {reference_name} (-) vs {name} (+)\n{}",
                            lines.join("\n")
                        ));
                    }
                }
            }
            _ => {
                agreed = false;
                disagreements.push(format!("{number}. {row_name}: no answer from {}", names[0]));
            }
        }
        if wide_table {
            let cells: Vec<String> = answers
                .iter()
                .map(|(_, answer)| match answer {
                    Ok(answer) => answer.summary(),
                    Err(error) => format!("no answer: {error}"),
                })
                .collect();
            rows.push(format!("| {row_name} | {} |", cells.join(" | ")));
        } else {
            let status = match &answers[0].1 {
                Ok(answer) => answer.status.to_string(),
                Err(_) => "---".to_owned(),
            };
            let verdict = if agreed { "same" } else { "DIFFER" };
            let line = format!("{number:>3}  {status:<4}  {verdict:<6}  {row_name}");
            rows.push(shorten(&line, COLUMNS));
        }
        if let Some((_, Ok(reference))) = answers.into_iter().next() {
            match distinct.iter_mut().find(|(known, _)| {
                known.status == reference.status
                    && known.headers == reference.headers
                    && known.body == reference.body
            }) {
                Some((_, numbers)) => numbers.push(number),
                None => distinct.push((reference, vec![number])),
            }
        }
    }

    if wide_table {
        println!("| request | {} |", names.join(" | "));
        println!("|---|{}", "---|".repeat(names.len()));
        for row in &rows {
            println!("{row}");
        }
    } else {
        println!("Each request went to {}.", names.join(", "));
        println!("\"same\": all sent the same bytes.");
        println!();
        println!("  #  code  agree   request");
        for row in &rows {
            println!("{row}");
        }
        println!();
        println!("Each distinct response once, whole (Date left out):");
        for (answer, numbers) in &distinct {
            let numbers: Vec<String> = numbers.iter().map(ToString::to_string).collect();
            println!();
            let noun = if numbers.len() == 1 {
                "request"
            } else {
                "requests"
            };
            for line in wrap(&format!("{noun} {}:", numbers.join(", ")), COLUMNS) {
                println!("{line}");
            }
            for line in render_whole(answer) {
                println!("{line}");
            }
        }
    }

    println!("\nThe code each framework needs:\n");
    for (name, code) in CODE {
        println!("{name}:");
        for line in wrap(code, COLUMNS - 4) {
            println!("    {line}");
        }
    }

    if disagreements.is_empty() {
        println!(
            "\nAll {} frameworks sent the same status, headers (Date aside) and body bytes for all {} requests.",
            names.len(),
            demo::REQUESTS.len()
        );
        ExitCode::SUCCESS
    } else {
        println!("\n{} disagreement(s):\n", disagreements.len());
        for disagreement in disagreements {
            println!("{disagreement}\n");
        }
        ExitCode::FAILURE
    }
}
