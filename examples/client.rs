//! A client of the demo app that follows the rules a refusal carries, with reqwest: it
//! re-authenticates once on a 401, stops at once on a 403 and a 404, and waits as
//! `Retry-After` says on a 429. It prints what it did, and exits with status 1 if the server
//! broke a rule the client relies on.
//!
//! ```sh
//! cargo run --example axum --features axum &
//! cargo run --example client --features reqwest
//! DENIED_URL=http://127.0.0.1:8080 cargo run --example client --features reqwest
//! ```

use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use denied::client::Advice;
use denied::reqwest::{Decision, GiveUp, Outcome, ResponseExt, RetryPolicy};
use denied::BearerError;
use reqwest::header::HeaderValue;
use reqwest::{Client, StatusCode};

/// What the client saw, and the rules the server broke.
struct Run {
    client: Client,
    base: String,
    broken: Vec<String>,
}

impl Run {
    fn expect(&mut self, rule: bool, what: &str) {
        if !rule {
            println!("  BROKEN: {what}");
            self.broken.push(what.to_owned());
        }
    }

    fn get(&self, path: &str, token: Option<&str>) -> Result<reqwest::Request, reqwest::Error> {
        let request = self.client.get(format!("{}{path}", self.base));
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
        .build()
    }

    /// Sends `path` with `token`, refreshing to the token `good` on a 401; gives the outcome
    /// and how often the refresher ran.
    async fn send(
        &self,
        policy: &RetryPolicy,
        path: &str,
        token: Option<&str>,
    ) -> Result<(Outcome, usize), reqwest::Error> {
        let refreshed = AtomicUsize::new(0);
        let outcome = policy
            .send_reauthenticating(&self.client, self.get(path, token)?, |_url, challenges| {
                refreshed.fetch_add(1, Ordering::Relaxed);
                let realm = challenges.iter().find_map(|c| c.realm().map(str::to_owned));
                println!("  refreshing the token for realm {realm:?}");
                async { Some(HeaderValue::from_static("Bearer good")) }
            })
            .await?;
        for step in outcome.steps() {
            println!("  {} -> {:?}", step.status(), step.decision());
        }
        Ok((outcome, refreshed.into_inner()))
    }
}

/// A response's status, its headers but `Date` as a sorted set, and its body.
async fn seen_as_a_client(
    response: reqwest::Response,
) -> Result<(StatusCode, Vec<(String, Vec<u8>)>, Vec<u8>), reqwest::Error> {
    let status = response.status();
    let mut headers: Vec<(String, Vec<u8>)> = response
        .headers()
        .iter()
        .filter(|(name, _)| *name != reqwest::header::DATE)
        .map(|(name, value)| (name.to_string(), value.as_bytes().to_vec()))
        .collect();
    // The headers as a set: actix-web keeps a response's headers in a hash map whose order
    // differs from one worker thread to the next, for every response alike, so their order
    // says nothing about what exists (and the two requests may reach two workers).
    headers.sort();
    Ok((status, headers, response.bytes().await?.to_vec()))
}

async fn run(run: &mut Run) -> Result<(), reqwest::Error> {
    let policy = RetryPolicy::new()
        .max_retries(2)
        .max_wait(Duration::from_secs(5));

    for (label, token, code) in [
        ("401, no token", None, None),
        (
            "401, expired token",
            Some("expired"),
            Some(BearerError::InvalidToken),
        ),
    ] {
        println!("GET /me ({label})");
        let first = run
            .client
            .execute(run.get("/me", token)?)
            .await?
            .guidance()
            .await;
        println!(
            "  challenges: {:?}",
            first
                .challenges()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        );
        run.expect(first.status() == StatusCode::UNAUTHORIZED, "a 401");
        run.expect(
            first
                .challenges()
                .iter()
                .any(|c| c.is_bearer() && c.realm().is_some()),
            "a 401 carries a Bearer challenge with a realm",
        );
        run.expect(
            first.bearer_error() == code,
            "the challenge's error code tells why",
        );
        let (outcome, refreshed) = run.send(&policy, "/me", token).await?;
        run.expect(refreshed == 1, "one refresh on a 401");
        run.expect(
            outcome.response().status() == StatusCode::OK,
            "the refreshed token is let in",
        );
    }

    println!("GET /admin/reports (403)");
    let (outcome, refreshed) = run.send(&policy, "/admin/reports", Some("good")).await?;
    run.expect(refreshed == 0, "a 403 never triggers a refresh");
    run.expect(outcome.attempts() == 1, "a 403 is not retried");
    let guidance = outcome.into_response().guidance().await;
    println!(
        "  message: {:?}, reason: {:?}",
        guidance.message(),
        guidance.reason()
    );
    run.expect(guidance.advice() == Advice::Stop, "a 403 says stop");
    run.expect(
        guidance.message().is_some(),
        "a 403 says why, in a body the client reads",
    );

    println!("GET /repos/secret (concealed 404)");
    let (outcome, refreshed) = run.send(&policy, "/repos/secret", Some("good")).await?;
    run.expect(refreshed == 0 && outcome.attempts() == 1, "a 404 is final");
    let concealed = seen_as_a_client(outcome.into_response()).await?;
    let genuine = run
        .client
        .execute(run.get("/repos/no-such-repo", Some("good"))?)
        .await?;
    let genuine = seen_as_a_client(genuine).await?;
    println!(
        "  {}, the same status, headers and body as for a repository that does not exist: {}",
        concealed.0,
        concealed == genuine
    );
    run.expect(
        concealed.0 == StatusCode::NOT_FOUND && concealed == genuine,
        "a concealed 404 is the genuine one (status, headers but Date, body)",
    );

    println!("GET /slow-down?after=0 (429, come back now)");
    let (outcome, _) = run.send(&policy, "/slow-down?after=0", None).await?;
    let decisions: Vec<Decision> = outcome.steps().iter().map(|step| step.decision()).collect();
    run.expect(
        decisions
            == [
                Decision::Wait(Duration::ZERO),
                Decision::Wait(Duration::ZERO),
                Decision::GiveUp(GiveUp::RetriesExhausted),
            ],
        "Retry-After: 0 is sent and honoured",
    );

    println!("GET /slow-down?after=30 (429, longer than this client waits)");
    let (outcome, _) = run.send(&policy, "/slow-down?after=30", None).await?;
    let decisions: Vec<Decision> = outcome.steps().iter().map(|step| step.decision()).collect();
    run.expect(
        decisions
            == [Decision::GiveUp(GiveUp::WaitTooLong(Duration::from_secs(
                30,
            )))],
        "Retry-After: 30 is sent, and the client does not sleep past its cap",
    );
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let base = std::env::var("DENIED_URL").unwrap_or_else(|_| "http://127.0.0.1:3000".into());
    let mut state = Run {
        client: Client::new(),
        base: base.trim_end_matches('/').to_owned(),
        broken: Vec::new(),
    };
    if let Err(error) = run(&mut state).await {
        eprintln!("cannot talk to {base}: {error}");
        return ExitCode::from(2);
    }
    if state.broken.is_empty() {
        println!("{base} kept every rule this client relies on");
        ExitCode::SUCCESS
    } else {
        println!("{base} broke {} rule(s)", state.broken.len());
        ExitCode::FAILURE
    }
}
