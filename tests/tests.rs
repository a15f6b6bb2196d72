//! The integration tests: one binary, a module per topic. They drive the real `feedmix`
//! binary and the real HTTP server against fixture outlets on 127.0.0.1.

mod serve_support;
mod support;

mod bad_input;
mod browser;
mod cli;
mod extract_quality;
mod faults;
mod operate;
mod pipeline;
mod properties;
mod reliability;
mod republish;
mod serve;
