//! Writes aeb-score predictions for the dev corpus:
//! `cargo run --release --example aeb_eval -- OUT.json [CORPUS_DIR]`
//! (CORPUS_DIR defaults to ../shared/corpus/aeb-dev).

use std::io::Read;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = args.next().ok_or("usage: aeb_eval OUT.json [CORPUS_DIR]")?;
    let dir = args
        .next()
        .unwrap_or_else(|| "../shared/corpus/aeb-dev".to_string());
    let truth: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(format!(
        "{dir}/ground-truth.json"
    ))?)?;
    let mut predictions = serde_json::Map::new();
    for (id, entry) in truth.as_object().ok_or("ground truth is not an object")? {
        let mut html = String::new();
        let file = std::fs::File::open(format!("{dir}/html/{id}.html.gz"))?;
        flate2::read::GzDecoder::new(file).read_to_string(&mut html)?;
        let url = url::Url::parse(entry["url"].as_str().unwrap_or("https://example.com/"))?;
        let article =
            feedmix::extract::extract_article(&html, &url, &feedmix::extract::SiteRules::default());
        predictions.insert(
            id.clone(),
            serde_json::json!({ "articleBody": article.text }),
        );
    }
    std::fs::write(&out, serde_json::to_string_pretty(&predictions)?)?;
    eprintln!("wrote {} predictions to {out}", predictions.len());
    Ok(())
}
