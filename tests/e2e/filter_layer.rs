//! `src/filter.rs` is the bottom layer (issue 18): it imports only std, serde and serde_json,
//! nothing of the crate, so the tools and the sandbox can both build on it. And the sandbox's
//! evaluator reads filters through it: no operator is spelt in `src/sandbox/query.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

fn source(path: &str) -> String {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let text = std::fs::read_to_string(&file).expect("the source file is readable");
    // Unit tests may use what they like.
    text.split("#[cfg(test)]")
        .next()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn the_filter_module_imports_only_std_and_serde() {
    let code = source("src/filter.rs");
    let uses: Vec<&str> = code
        .lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with("use ") || l.starts_with("pub use "))
        .collect();
    assert!(!uses.is_empty(), "the walk sees the module's imports");
    for line in &uses {
        let path = line.trim_start_matches("pub ").trim_start_matches("use ");
        assert!(
            ["std::", "serde::", "serde_json::"]
                .iter()
                .any(|p| path.starts_with(p)),
            "src/filter.rs imports beyond std and serde: {line}"
        );
    }
    for word in ["crate::", "super::"] {
        assert!(
            !code.contains(word),
            "src/filter.rs names `{word}`: it must not depend on the crate"
        );
    }
}

#[test]
fn the_sandbox_evaluator_spells_no_operator() {
    let code = source("src/sandbox/query.rs");
    assert!(
        code.contains("crate::filter::"),
        "the evaluator reads filters through crate::filter"
    );
    for spelling in [
        "\"noteq\"",
        "\"beginswith\"",
        "\"beginsWith\"",
        "\"notexist\"",
        "\"notExist\"",
        "\"notin\"",
        "\"notIn\"",
        "\"contains\"",
    ] {
        assert!(
            !code.contains(spelling),
            "src/sandbox/query.rs spells the operator {spelling}: use crate::filter::Op"
        );
    }
}
