//! The `autotask-mcp` binary: wiring only.

fn main() {
    println!("{}", autotask_mcp::registry::entities().len());
}
