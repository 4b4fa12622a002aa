//! Integration tests of rackflow-core: one binary, modules inside.
#![allow(clippy::needless_range_loop)]
mod it {
    mod checks;
    pub mod common;
    mod conduction;
    mod linalg;
    mod mesh;
    mod properties;
    mod transient;
    mod validation;
}
