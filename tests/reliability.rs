//! Reliability (issue 7): every corpus feed parses without panic in bounded time, and
//! agrees with what independent parsers (gofeed, feedparser) record; the sanitizer holds
//! through the real pipeline; SIGKILL at random points never loses or duplicates items.
//! Figures and how to reproduce them are in RELIABILITY.md.

mod corpus;
mod crash;
mod sanitize;

use std::path::{Path, PathBuf};

/// Other projects' feed-parser test data (see ../shared/README.md).
const CORPUS: &str = "../shared/corpus/feeds";

/// Every feed-like file under `root`, sorted so runs are comparable.
fn corpus_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("xml" | "rss" | "atom" | "json" | "rdf")
            ) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}
