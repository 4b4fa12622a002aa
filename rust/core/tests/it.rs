//! Integration tests of rackflow-core: one binary, modules inside.
mod it {
    pub mod common;
    mod conduction;
    mod linalg;
    mod mesh;
    mod properties;
}
