//! Every framework's demo app in one process, asked the same questions over real sockets.
//!
//! ```sh
//! cargo run --example showcase --all-features
//! DENIED_FORMAT=problem cargo run --example showcase --all-features
//! ```
//!
//! Prints one row per request and one column per framework, then the code each framework
//! needs. Any disagreement between frameworks (`Date` aside) is printed as a diff and makes
//! the command exit non-zero.

// Each example declares the shared `demo` module so that it runs on its own; here the three
// are compiled together, so each carries its own copy.
#![allow(clippy::duplicate_mod)]

#[allow(dead_code)]
#[path = "actix-web.rs"]
mod actix_web_app;
#[allow(dead_code)]
#[path = "axum.rs"]
mod axum_app;
#[allow(dead_code)]
#[path = "warp.rs"]
mod warp_app;

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

use axum_app::demo;

type Serve = fn(TcpListener) -> std::io::Result<()>;

const FRAMEWORKS: [(&str, Serve); 3] = [
    ("axum", axum_app::serve),
    ("actix-web", actix_web_app::serve),
    ("warp", warp_app::serve),
];

/// The code each framework needs for a refusal, shown under the table.
const CODE: [(&str, &str); 3] = [
    (
        "axum",
        "async fn handler() -> Result<Json<T>, HttpError> { Err(Forbidden::new())? }\n\
         Router::new().fallback(denied::axum::not_found)",
    ),
    (
        "actix-web",
        "async fn handler() -> Result<Json<T>, HttpError> { Err(Forbidden::new())? }\n\
         App::new().default_service(web::to(denied::actix_web::not_found))",
    ),
    (
        "warp",
        "filter.map(|| Err::<Json, _>(Forbidden::new()))  // or warp::reject::custom(Forbidden::new())\n\
         routes.recover(denied::warp::recover)",
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

fn ask(address: SocketAddr, target: &str, token: Option<&str>) -> Result<Answer, String> {
    let mut stream = TcpStream::connect(address).map_err(|error| error.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|error| error.to_string())?;
    let authorization = token
        .map(|token| format!("Authorization: Bearer {token}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "GET {target} HTTP/1.1\r\nHost: {address}\r\n{authorization}Connection: close\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|error| error.to_string())?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .map_err(|error| error.to_string())?;
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

fn main() -> ExitCode {
    demo::install_config_from_env(false);
    let mut addresses = Vec::new();
    for (name, serve) in FRAMEWORKS {
        let listener = match TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))) {
            Ok(listener) => listener,
            Err(error) => {
                eprintln!("cannot listen for {name}: {error}");
                return ExitCode::FAILURE;
            }
        };
        let address = listener.local_addr().ok();
        std::thread::spawn(move || {
            if let Err(error) = serve(listener) {
                eprintln!("{name} stopped: {error}");
            }
        });
        addresses.extend(address.map(|address| (name, address)));
    }

    let mut disagreements = Vec::new();
    println!(
        "| request | {} |",
        addresses
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(" | ")
    );
    println!("|---|{}", "---|".repeat(addresses.len()));
    for (label, target, token) in demo::REQUESTS {
        let who = token.map_or("no token".to_owned(), |token| format!("token {token}"));
        let row_name = format!("GET {target} ({who}; {label})");
        let answers: Vec<(&str, Result<Answer, String>)> = addresses
            .iter()
            .map(|(name, address)| (*name, ask(*address, target, *token)))
            .collect();
        let cells: Vec<String> = answers
            .iter()
            .map(|(_, answer)| match answer {
                Ok(answer) => answer.summary(),
                Err(error) => format!("no answer: {error}"),
            })
            .collect();
        println!("| {row_name} | {} |", cells.join(" | "));
        let Some((reference_name, Ok(reference))) = answers.first() else {
            disagreements.push(format!("{row_name}: no answer from {}", FRAMEWORKS[0].0));
            continue;
        };
        for (name, answer) in &answers[1..] {
            match answer {
                Ok(answer) => {
                    let lines = differences(reference, answer);
                    if !lines.is_empty() {
                        disagreements.push(format!(
                            "{row_name}: {reference_name} (-) vs {name} (+)\n{}",
                            lines.join("\n")
                        ));
                    }
                }
                Err(error) => disagreements.push(format!("{row_name}: {name}: {error}")),
            }
        }
    }

    println!("\nThe code each framework needs:\n");
    for (name, code) in CODE {
        println!("{name}:");
        for line in code.lines() {
            println!("    {line}");
        }
    }

    if disagreements.is_empty() {
        println!(
            "\nAll {} frameworks sent the same status, headers (Date aside) and body bytes for all {} requests.",
            addresses.len(),
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
