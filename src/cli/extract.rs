//! `feedmix extract`: run the extractor on a saved page and print JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{usage, CmdResult};
use crate::extract::{decode_html, extract_article, SiteRules};

/// Arguments of `extract`.
#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// The saved HTML page.
    pub file: PathBuf,
    /// The page's original URL (resolves relative links; default: the file's path).
    #[arg(long)]
    pub url: Option<url::Url>,
}

impl ExtractArgs {
    /// Extracts and prints `{title, text, html, byline, published, image, lang, canonical_url, ...}`.
    pub fn run(&self) -> CmdResult {
        let bytes = std::fs::read(&self.file)
            .map_err(|e| usage(format!("cannot read {}: {e}", self.file.display())))?;
        let url = match &self.url {
            Some(u) => u.clone(),
            None => {
                let abs = std::path::absolute(&self.file)?;
                url::Url::from_file_path(&abs)
                    .map_err(|()| usage(format!("cannot make a URL of {}", abs.display())))?
            }
        };
        let html = decode_html(&bytes, None);
        let article = extract_article(&html, &url, &SiteRules::default());
        println!("{}", serde_json::to_string_pretty(&article)?);
        Ok(ExitCode::SUCCESS)
    }
}
