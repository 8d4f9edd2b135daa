//! The per-framework table of features.md cannot rot: every code snippet in it must stand in
//! one of the file's compiled Rust blocks (they run as doctests).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[test]
fn every_snippet_in_the_framework_table_is_compiled_below() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/features.md")).unwrap();
    let mut compiled = String::new();
    let mut in_rust = false;
    for line in text.lines() {
        match (in_rust, line.trim()) {
            (false, "```rust") => in_rust = true,
            (true, "```") => in_rust = false,
            (true, code) => {
                compiled.push_str(code);
                compiled.push('\n');
            }
            _ => {}
        }
    }
    let table_start = text.find("## How to return a 403").unwrap();
    let table: Vec<&str> = text[table_start..]
        .lines()
        .skip_while(|line| !line.starts_with("| framework"))
        .take_while(|line| line.starts_with('|'))
        .skip(2)
        .collect();
    assert_eq!(table.len(), 7, "one row per HTTP framework");
    for row in table {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        // The 403, the 404, the framework's own errors and the credentials.
        for cell in [cells[3], cells[5], cells[6], cells[7]] {
            let snippet = cell.trim_matches('`');
            assert!(
                compiled.contains(snippet),
                "`{snippet}` from the table is in no compiled block of features.md"
            );
        }
    }
}
