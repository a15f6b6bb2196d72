//! feedmix: polls news feeds, extracts each article, folds copies of one story together,
//! and republishes one combined feed (RSS 2.0, Atom, JSON Feed) with related articles.
//!
//! Data flows one way: `config -> schedule -> fetch -> parse -> extract -> store -> render
//! -> publish/serve`. Only `fetch`, `store`, `publish`, `serve` and `demo` touch the network,
//! the disk or SQLite; the rest takes bytes or structs and returns values.

pub mod cli;
pub mod config;
pub mod dedup;
pub mod demo;
pub mod discover;
pub mod edition;
pub mod extract;
pub mod fetch;
pub mod ingest;
pub mod model;
pub mod opml;
pub mod page;
pub mod parse;
pub mod publish;
pub mod related;
pub mod render;
pub mod sanitize;
pub mod schedule;
pub mod serve;
pub mod store;
pub mod websub;
