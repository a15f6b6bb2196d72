//! Edits feeds.toml in place (adding and removing `[[feeds]]`) keeping the file's layout,
//! comments and key order: the only user of toml_edit. Pure: text in, text out.

use toml_edit::{value, ArrayOfTables, DocumentMut, Item, Table};

/// Why an edit was refused.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// The file is not valid TOML.
    #[error("feeds.toml is not valid TOML: {0}")]
    Syntax(#[from] toml_edit::TomlError),
    /// `feeds` exists but is not an array of tables.
    #[error("`feeds` in feeds.toml is not a list of [[feeds]] tables")]
    Shape,
    /// A feed with that name exists already.
    #[error("a feed named `{0}` exists already; pick another with --name")]
    Duplicate(String),
    /// No feed with that name.
    #[error("no feed named `{0}` in feeds.toml")]
    Missing(String),
}

/// A feed to add.
#[derive(Debug, Clone)]
pub struct NewFeed {
    /// `name`.
    pub name: String,
    /// `title`.
    pub title: String,
    /// `url`.
    pub url: String,
    /// `category`, if any.
    pub category: Option<String>,
}

fn feeds_mut(doc: &mut DocumentMut) -> Result<&mut ArrayOfTables, EditError> {
    let item = doc
        .entry("feeds")
        .or_insert(Item::ArrayOfTables(ArrayOfTables::new()));
    item.as_array_of_tables_mut().ok_or(EditError::Shape)
}

fn names(doc: &DocumentMut) -> Vec<String> {
    doc.get("feeds")
        .and_then(Item::as_array_of_tables)
        .map(|a| {
            a.iter()
                .filter_map(|t| t.get("name")?.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Appends a `[[feeds]]` table for `feed` to `text`.
pub fn add_feed(text: &str, feed: &NewFeed) -> Result<String, EditError> {
    let mut doc: DocumentMut = text.parse()?;
    if names(&doc).contains(&feed.name) {
        return Err(EditError::Duplicate(feed.name.clone()));
    }
    let mut table = Table::new();
    table.insert("name", value(&feed.name));
    table.insert("title", value(&feed.title));
    table.insert("url", value(&feed.url));
    if let Some(category) = &feed.category {
        table.insert("category", value(category));
    }
    feeds_mut(&mut doc)?.push(table);
    Ok(doc.to_string())
}

/// Removes the `[[feeds]]` table named `name` from `text`.
pub fn remove_feed(text: &str, name: &str) -> Result<String, EditError> {
    let mut doc: DocumentMut = text.parse()?;
    let feeds = feeds_mut(&mut doc)?;
    let index = (0..feeds.len())
        .find(|i| {
            feeds
                .get(*i)
                .and_then(|t| t.get("name"))
                .and_then(|n| n.as_str())
                == Some(name)
        })
        .ok_or_else(|| EditError::Missing(name.to_string()))?;
    feeds.remove(index);
    Ok(doc.to_string())
}

/// A short feed name derived from a URL's host (`www.cedarnews.net` -> `cedarnews`),
/// made unique against `taken`.
pub fn suggest_name(url: &url::Url, taken: &[String]) -> String {
    let host = url.host_str().unwrap_or("feed").to_ascii_lowercase();
    let parts: Vec<&str> = host
        .split('.')
        .filter(|p| !matches!(*p, "www" | "feeds" | "rss" | "m"))
        .collect();
    // Skip the public suffix: one label (`.net`), or two for `.com.lb`-style domains.
    let second_level = |p: &str| matches!(p, "com" | "co" | "org" | "net" | "gov" | "edu" | "ac");
    let n = parts.len();
    let stem = match n {
        0 => "feed",
        1 => parts[0],
        2 => parts[0],
        _ if parts[n - 1].len() == 2 && second_level(parts[n - 2]) => parts[n - 3],
        _ => parts[n - 2],
    };
    let clean: String = stem
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let base = if clean.is_empty() {
        "feed".to_string()
    } else {
        clean
    };
    let mut name = base.clone();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{base}-{n}");
        n += 1;
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# my feeds\n[fetch]\nper_host_delay_ms = 250 # be nice\n\n[[feeds]]\nname = \"a\" # first\nurl = \"https://a.example/rss\"\n[feeds.extract]\ncontent = [\".body\"]\n\n[[feeds]]\nname = \"b\"\nurl = \"https://b.example/rss\"\n";

    #[test]
    fn add_keeps_comments_and_layout() {
        let feed = NewFeed {
            name: "c".into(),
            title: "C".into(),
            url: "https://c.example/feed".into(),
            category: None,
        };
        let out = add_feed(FILE, &feed).unwrap();
        assert!(out.starts_with(FILE), "existing text changed:\n{out}");
        assert!(
            out.contains(
                "[[feeds]]\nname = \"c\"\ntitle = \"C\"\nurl = \"https://c.example/feed\""
            ),
            "{out}"
        );
        assert!(matches!(
            add_feed(&out, &feed),
            Err(EditError::Duplicate(_))
        ));
    }

    #[test]
    fn remove_takes_only_that_feed() {
        let out = remove_feed(FILE, "a").unwrap();
        assert!(
            out.contains("# my feeds") && out.contains("# be nice"),
            "{out}"
        );
        assert!(
            !out.contains("a.example") && !out.contains(".body"),
            "{out}"
        );
        assert!(out.contains("b.example"));
        assert!(matches!(
            remove_feed(FILE, "zzz"),
            Err(EditError::Missing(_))
        ));
    }

    #[test]
    fn names_from_hosts() {
        let taken = vec!["cedarnews".to_string()];
        let u = |s: &str| url::Url::parse(s).unwrap();
        assert_eq!(
            suggest_name(&u("https://www.cedarnews.net/feed"), &taken),
            "cedarnews-2"
        );
        assert_eq!(
            suggest_name(&u("https://english.almanar.com.lb/rss"), &taken),
            "almanar"
        );
        assert_eq!(
            suggest_name(&u("https://today.lorientlejour.com/rss"), &taken),
            "lorientlejour"
        );
    }
}
