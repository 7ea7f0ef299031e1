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

/// `src/filter.rs` and the files of `src/filter/`.
fn filter_sources() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/filter");
    let mut out = vec![("src/filter.rs".to_string(), source("src/filter.rs"))];
    for entry in std::fs::read_dir(&dir).expect("src/filter is readable") {
        let path = entry.expect("a directory entry").path();
        let name = format!(
            "src/filter/{}",
            path.file_name()
                .and_then(|n| n.to_str())
                .expect("a UTF-8 name")
        );
        out.push((name.clone(), source(&name)));
    }
    out
}

#[test]
fn the_filter_module_imports_only_std_and_serde() {
    let sources = filter_sources();
    assert!(sources.len() >= 2, "the walk sees the module's files");
    let mut imports = 0;
    for (file, code) in &sources {
        for line in code
            .lines()
            .map(str::trim_start)
            .filter(|l| l.starts_with("use ") || l.starts_with("pub use "))
        {
            imports += 1;
            let path = line.trim_start_matches("pub ").trim_start_matches("use ");
            // Inside `src/filter/`, `super::` is the filter module itself.
            let own = file != "src/filter.rs" && path.starts_with("super::");
            let local = file == "src/filter.rs"
                && [
                    "lenient::",
                    "ops::",
                    "problem::",
                    "strict::",
                    "tree::",
                    "values::",
                ]
                .iter()
                .any(|m| path.starts_with(m));
            assert!(
                own || local
                    || ["std::", "serde::", "serde_json::"]
                        .iter()
                        .any(|p| path.starts_with(p)),
                "{file} imports beyond std, serde and the filter module: {line}"
            );
        }
        assert!(
            !code.contains("crate::"),
            "{file} names `crate::`: the filter module must not depend on the crate"
        );
        if file == "src/filter.rs" {
            assert!(!code.contains("super::"), "src/filter.rs names `super::`");
        }
    }
    assert!(imports > 0, "the walk sees the imports");
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
