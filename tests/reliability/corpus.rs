//! Every corpus feed parses without panic in bounded time, and what it yields agrees with
//! what gofeed (`.json` beside each `.xml`) and feedparser (`Expect:` lines) record.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::time::{Duration, Instant};

use feedmix::parse::parse_feed;
use feedmix::sanitize::html_to_plain;
use url::Url;

use super::{corpus_files, CORPUS};

/// Agreement measured when this test was written (gofeed 0.9653, feedparser 0.6316; see
/// RELIABILITY.md), minus a margin: a parser change that loses agreement fails here.
const MIN_GOFEED_AGREEMENT: f64 = 0.95;
const MIN_FEEDPARSER_AGREEMENT: f64 = 0.61;

fn base_for(path: &Path) -> Url {
    Url::parse(&format!("http://example.org/{}", path.display())).unwrap()
}

#[test]
fn corpus_feeds_parse_without_panic_in_bounded_time() {
    let files = corpus_files(Path::new(CORPUS));
    assert!(files.len() > 3000, "only {} corpus files", files.len());
    let (mut panics, mut slow, mut parsed) = (Vec::new(), Vec::new(), 0);
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let base = base_for(path);
        let start = Instant::now();
        match catch_unwind(AssertUnwindSafe(|| parse_feed(&bytes, &base))) {
            Ok(result) => parsed += usize::from(result.is_ok()),
            Err(_) => panics.push(path.display().to_string()),
        }
        if start.elapsed() > Duration::from_secs(2) {
            slow.push(format!("{} {:?}", path.display(), start.elapsed()));
        }
    }
    eprintln!(
        "corpus: {} files, {parsed} parsed as feeds, {} panics, {} slow",
        files.len(),
        panics.len(),
        slow.len()
    );
    assert!(panics.is_empty(), "parse_feed panicked on {panics:#?}");
    assert!(slow.is_empty(), "parse_feed took over 2 s on {slow:#?}");
}

/// Agreement tallies: checks made and checks that matched, per field.
#[derive(Debug, Default)]
struct Tally {
    files: usize,
    files_agreeing: usize,
    checks: [(usize, usize); 3],
    disagreements: Vec<String>,
}

impl Tally {
    fn check(&mut self, field: usize, ok: bool, what: impl FnOnce() -> String) -> bool {
        self.checks[field].0 += 1;
        if ok {
            self.checks[field].1 += 1;
        } else {
            self.disagreements.push(what());
        }
        ok
    }

    fn rate(&self) -> f64 {
        let (all, ok) = self
            .checks
            .iter()
            .fold((0, 0), |(a, o), (n, m)| (a + n, o + m));
        ok as f64 / all.max(1) as f64
    }

    fn report(&self, name: &str) {
        let [c, t, l] = self.checks;
        eprintln!(
            "{name}: {}/{} files agree; checks {:.4} (items {}/{}, titles {}/{}, links {}/{})",
            self.files_agreeing,
            self.files,
            self.rate(),
            c.1,
            c.0,
            t.1,
            t.0,
            l.1,
            l.0
        );
        for d in &self.disagreements {
            eprintln!("  {name} disagrees: {d}");
        }
    }
}

const ITEMS: usize = 0;
const TITLES: usize = 1;
const LINKS: usize = 2;

/// Titles compare as plain text (feedmix keeps titles as text; others may keep HTML).
fn same_title(ours: Option<&str>, theirs: Option<&str>) -> bool {
    let norm = |t: Option<&str>| html_to_plain(t.unwrap_or("")).trim().to_string();
    norm(ours) == norm(theirs)
}

/// Links compare as parsed URLs (so `http://a.org` equals `http://a.org/`).
fn same_link(ours: Option<&str>, theirs: Option<&str>) -> bool {
    let norm = |l: Option<&str>| {
        let l = l.unwrap_or("").trim();
        Url::parse(l).map_or_else(|_| l.to_string(), |u| u.to_string())
    };
    norm(ours) == norm(theirs)
}

/// The item list gofeed recorded: (title, link) per item.
fn gofeed_expected(json: &serde_json::Value) -> Vec<(Option<String>, Option<String>)> {
    let s = |v: &serde_json::Value| v.as_str().map(str::to_string);
    if let Some(entries) = json.get("entries").and_then(|e| e.as_array()) {
        // gofeed's Atom parser: links are a list; the alternate (or rel-less) one is the link.
        return entries
            .iter()
            .map(|e| {
                let link = e["links"].as_array().and_then(|links| {
                    links
                        .iter()
                        .find(|l| l["rel"].as_str().is_none_or(|r| r == "alternate"))
                        .and_then(|l| s(&l["href"]))
                });
                (s(&e["title"]), link)
            })
            .collect();
    }
    json.get("items")
        .and_then(|i| i.as_array())
        .map(|items| {
            items
                .iter()
                .map(|i| (s(&i["title"]), s(&i["link"])))
                .collect()
        })
        .unwrap_or_default()
}

fn gofeed_tally() -> Tally {
    let mut tally = Tally::default();
    let root = Path::new(CORPUS).join("gofeed/testdata");
    for xml in corpus_files(&root)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
    {
        let Ok(expected) = std::fs::read(xml.with_extension("json")) else {
            continue;
        };
        let Ok(expected) = serde_json::from_slice::<serde_json::Value>(&expected) else {
            continue;
        };
        let expected = gofeed_expected(&expected);
        let name = xml.strip_prefix(&root).unwrap().display().to_string();
        let ours = parse_feed(&std::fs::read(&xml).unwrap(), &base_for(&xml))
            .map(|f| f.items)
            .unwrap_or_default();
        tally.files += 1;
        let mut agree = tally.check(ITEMS, ours.len() == expected.len(), || {
            format!("{name}: {} items, gofeed {}", ours.len(), expected.len())
        });
        for (i, (item, (title, link))) in ours.iter().zip(&expected).enumerate() {
            agree &= tally.check(
                TITLES,
                same_title(item.title.as_deref(), title.as_deref()),
                || format!("{name}: item {i} title {:?}, gofeed {title:?}", item.title),
            );
            // gofeed does not resolve relative links; compare only what it recorded absolute.
            if link.as_deref().is_none_or(|l| Url::parse(l).is_ok()) {
                agree &= tally.check(
                    LINKS,
                    same_link(item.link.as_deref(), link.as_deref()),
                    || format!("{name}: item {i} link {:?}, gofeed {link:?}", item.link),
                );
            }
        }
        tally.files_agreeing += usize::from(agree);
    }
    tally
}

/// Reads one Python string literal (or several joined by `+`) from the start of `s`.
fn python_string(s: &str) -> Option<(String, &str)> {
    let mut out = String::new();
    let mut rest = s.trim_start();
    loop {
        rest = rest.trim_start();
        rest = rest.strip_prefix('u').unwrap_or(rest);
        let quote = rest.chars().next().filter(|c| *c == '\'' || *c == '"')?;
        let mut chars = rest[1..].char_indices();
        let end = loop {
            let (i, c) = chars.next()?;
            match c {
                c if c == quote => break i + 2,
                '\\' => {
                    let (_, e) = chars.next()?;
                    let hex = |n: usize, chars: &mut std::str::CharIndices| {
                        let digits: String = chars.by_ref().take(n).map(|(_, c)| c).collect();
                        u32::from_str_radix(&digits, 16)
                            .ok()
                            .and_then(char::from_u32)
                    };
                    out.push(match e {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        'u' => hex(4, &mut chars)?,
                        'x' => hex(2, &mut chars)?,
                        other => other,
                    });
                }
                c => out.push(c),
            }
        };
        rest = rest[end..].trim_start();
        match rest.strip_prefix('+') {
            Some(more) => rest = more,
            None => return Some((out, rest)),
        }
    }
}

/// A feedparser expectation feedmix can check: `len(entries) == N`, or an entry's title or
/// link equal to a string.
#[derive(Debug)]
enum Expectation {
    Count(usize),
    Field(usize, usize, String),
}

fn expectations(line: &str) -> Vec<Expectation> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("entries") {
        let before = &rest[..at];
        rest = &rest[at + "entries".len()..];
        if before.ends_with("len(") {
            if let Some(n) = rest
                .strip_prefix(") ==")
                .and_then(|r| r.split_whitespace().next())
                .and_then(|n| n.parse().ok())
            {
                out.push(Expectation::Count(n));
            }
            continue;
        }
        let Some(after) = rest.strip_prefix('[') else {
            continue;
        };
        let Some((index, after)) = after.split_once(']') else {
            continue;
        };
        let Ok(index) = index.parse::<usize>() else {
            continue;
        };
        for (field, id) in [("title", TITLES), ("link", LINKS)] {
            let access = [format!("['{field}'] =="), format!(".{field} ==")];
            if let Some(value) = access.iter().find_map(|a| after.strip_prefix(a.as_str())) {
                if let Some((expected, _)) = python_string(value) {
                    out.push(Expectation::Field(id, index, expected));
                }
            }
        }
    }
    out
}

fn feedparser_tally() -> Tally {
    let mut tally = Tally::default();
    let root = Path::new(CORPUS).join("feedparser/tests");
    for path in corpus_files(&root) {
        let bytes = std::fs::read(&path).unwrap();
        let head = String::from_utf8_lossy(&bytes);
        let Some(line) = head
            .lines()
            .find_map(|l| l.split_once("Expect:").map(|x| x.1))
        else {
            continue;
        };
        let checks = expectations(line);
        if checks.is_empty() {
            continue;
        }
        let name = path.strip_prefix(&root).unwrap().display().to_string();
        let ours = parse_feed(&bytes, &base_for(&path))
            .map(|f| f.items)
            .unwrap_or_default();
        tally.files += 1;
        let mut agree = true;
        for check in checks {
            agree &= match check {
                Expectation::Count(n) => tally.check(ITEMS, ours.len() == n, || {
                    format!("{name}: {} entries, feedparser {n}", ours.len())
                }),
                Expectation::Field(field, i, expected) => {
                    let item = ours.get(i);
                    let (got, ok) = if field == TITLES {
                        let got = item.and_then(|it| it.title.as_deref());
                        (got, same_title(got, Some(&expected)))
                    } else {
                        let got = item.and_then(|it| it.link.as_deref());
                        (got, same_link(got, Some(&expected)))
                    };
                    tally.check(field, ok, || {
                        format!("{name}: entry {i} got {got:?}, feedparser {expected:?}")
                    })
                }
            };
        }
        tally.files_agreeing += usize::from(agree);
    }
    tally
}

#[test]
fn corpus_agreement_with_gofeed_and_feedparser() {
    let gofeed = gofeed_tally();
    gofeed.report("gofeed");
    let feedparser = feedparser_tally();
    feedparser.report("feedparser");
    assert!(
        gofeed.files > 400 && feedparser.files > 50,
        "corpus missing?"
    );
    assert!(
        gofeed.rate() >= MIN_GOFEED_AGREEMENT,
        "agreement with gofeed fell to {:.4}",
        gofeed.rate()
    );
    assert!(
        feedparser.rate() >= MIN_FEEDPARSER_AGREEMENT,
        "agreement with feedparser fell to {:.4}",
        feedparser.rate()
    );
}

#[test]
fn python_strings_and_expectations_are_read() {
    let (s, rest) = python_string(r#"'a\u2019b' + "c\n" and x"#).unwrap();
    assert_eq!((s.as_str(), rest), ("a\u{2019}bc\n", "and x"));
    let found =
        expectations("not bozo and len(entries) == 2 and entries[1]['link'] == 'http://x/'");
    assert!(matches!(found[0], Expectation::Count(2)), "{found:?}");
    assert!(
        matches!(&found[1], Expectation::Field(LINKS, 1, l) if l == "http://x/"),
        "{found:?}"
    );
}
