//! Extraction quality on the article-extraction-benchmark dev pages (../shared/corpus/aeb-dev),
//! scored with the same 4-token-shingle metric as `shared/tools/aeb-score`, and a
//! no-panic sweep over every HTML page under ../shared/corpus.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use feedmix::extract::{extract_article, SiteRules};

const CORPUS: &str = "../shared/corpus";
/// The dev set must stay at or above this F1 (peers: trafilatura 0.958, readability 0.950).
const MIN_F1: f64 = 0.95;

/// `\w+` tokens as Python's `re` finds them (alphanumeric or underscore runs).
fn tokens(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
        .collect()
}

/// Multiset of 4-token shingles; shorter texts form one shingle of all their tokens.
fn shingles(text: &str) -> HashMap<Vec<&str>, usize> {
    let toks = tokens(text);
    let mut out = HashMap::new();
    if toks.len() < 4 {
        if !toks.is_empty() {
            out.insert(toks, 1);
        }
        return out;
    }
    for w in toks.windows(4) {
        *out.entry(w.to_vec()).or_insert(0) += 1;
    }
    out
}

/// (tp, fp, fn) normalised to sum to 1, as aeb-score's `page_counts`.
fn page_counts(truth: &str, pred: &str) -> (f64, f64, f64) {
    let (t, p) = (shingles(truth), shingles(pred));
    let tp: usize = p
        .iter()
        .map(|(k, &n)| n.min(t.get(k).copied().unwrap_or(0)))
        .sum();
    let fp: usize = p.values().sum::<usize>() - tp;
    let fn_: usize = t.values().sum::<usize>() - tp;
    let s = (tp + fp + fn_) as f64;
    if s == 0.0 {
        (0.0, 0.0, 0.0)
    } else {
        (tp as f64 / s, fp as f64 / s, fn_ as f64 / s)
    }
}

fn read_page(path: &Path) -> String {
    let bytes = std::fs::read(path).expect("corpus page is readable");
    let bytes = if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .expect("gzip page");
        out
    } else {
        bytes
    };
    feedmix::extract::decode_html(&bytes, None).into_owned()
}

#[test]
fn aeb_dev_f1_stays_above_threshold() {
    let dir = Path::new(CORPUS).join("aeb-dev");
    let truth: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("ground-truth.json")).expect("ground truth"),
    )
    .expect("JSON");
    let (mut precisions, mut recalls) = (Vec::new(), Vec::new());
    for (id, entry) in truth.as_object().expect("object") {
        let html = read_page(&dir.join("html").join(format!("{id}.html.gz")));
        let url =
            url::Url::parse(entry["url"].as_str().unwrap_or("https://example.com/")).expect("url");
        let got = extract_article(&html, &url, &SiteRules::default()).text;
        let (tp, fp, fn_) = page_counts(entry["articleBody"].as_str().unwrap_or(""), &got);
        if tp + fp > 0.0 {
            precisions.push(if fp == 0.0 && fn_ == 0.0 {
                1.0
            } else {
                tp / (tp + fp)
            });
        }
        if tp + fn_ > 0.0 {
            recalls.push(if fp == 0.0 && fn_ == 0.0 {
                1.0
            } else {
                tp / (tp + fn_)
            });
        }
    }
    let mean = |v: &[f64]| {
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let (p, r) = (mean(&precisions), mean(&recalls));
    let f1 = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    eprintln!("aeb-dev: precision={p:.4} recall={r:.4} f1={f1:.4}");
    assert!(
        f1 >= MIN_F1,
        "aeb-dev F1 {f1:.4} fell below {MIN_F1} (P={p:.4} R={r:.4})"
    );
}

fn html_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = path.to_string_lossy().to_lowercase();
        if path.is_dir() {
            html_files(&path, out);
        } else if name.ends_with(".html") || name.ends_with(".htm") || name.ends_with(".html.gz") {
            out.push(path);
        }
    }
}

#[test]
fn extraction_never_panics_on_corpus_pages() {
    let mut files = Vec::new();
    html_files(Path::new(CORPUS), &mut files);
    assert!(!files.is_empty(), "no HTML pages under {CORPUS}");
    let url = url::Url::parse("https://example.com/dir/page.html").expect("url");
    for path in files {
        let html = read_page(&path);
        let result =
            std::panic::catch_unwind(|| extract_article(&html, &url, &SiteRules::default()));
        assert!(result.is_ok(), "extraction panicked on {}", path.display());
    }
}
