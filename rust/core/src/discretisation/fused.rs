//! Fused finite-volume terms: the [`fvm`](super::fvm) operators as lazily evaluated face
//! coefficients, so that an equation written as a sum of terms,
//!
//! ```text
//! fused::div(φ, U, bounded upwind | limited linear upwind) − fused::laplacian(μ, U)
//! ```
//!
//! is assembled in **one** parallel gather over the cells: each thread builds its own rows of
//! the matrix, the terms are added face by face, and no intermediate matrix is stored or
//! scattered. The eager operators of [`fvm`](super::fvm) build one [`FvMatrix`](super::FvMatrix)
//! per term; they are the reference the fused terms are tested against, and what equations
//! solved once (transient steps, turbulence) compose. The equations solved every outer iteration
//! of SIMPLEC (momentum, pressure) use these, where an extra pass over the faces is measurable.
//!
//! Signs follow [`FvMatrix`](super::FvMatrix): a term is `E(x) ≈ A x − b`, and a term's row of
//! a cell `c` is its diagonal coefficient, one off-diagonal per internal face, and its part of
//! `b`. Terms combine with `+` and `−` (see [`Expr`]); the combination of face coefficients is
//! done before they are added to the row, so `div − laplacian` gives `φ⁺ + d` exactly as a
//! hand-written loop would.

use super::pattern::CellPattern;
use super::FaceGeometry;
use crate::linalg::{Csr, CHUNK};
use crate::mesh::{dot, CellFaces, Mesh, Vec3};
use rayon::prelude::*;
use std::ops::{Add, Neg, Sub};

/// The value type of a cell field a fused term acts on: a scalar or a 3-vector (one shared
/// matrix, per-component sources).
pub trait FieldValue: Copy + Send + Sync + PartialEq + std::fmt::Debug {
    /// Number of components.
    const N: usize;
    /// The zero value.
    const ZERO: Self;
    /// Component `k`.
    fn get(&self, k: usize) -> f64;
    /// Set component `k`.
    fn set(&mut self, k: usize, value: f64);
    /// `self + other`, per component.
    #[inline]
    fn plus(mut self, other: Self) -> Self {
        for k in 0..Self::N {
            self.set(k, self.get(k) + other.get(k));
        }
        self
    }
    /// `self − other`, per component.
    #[inline]
    fn minus(mut self, other: Self) -> Self {
        for k in 0..Self::N {
            self.set(k, self.get(k) - other.get(k));
        }
        self
    }
    /// `−self`.
    #[inline]
    fn negated(mut self) -> Self {
        for k in 0..Self::N {
            self.set(k, -self.get(k));
        }
        self
    }
}

impl FieldValue for f64 {
    const N: usize = 1;
    const ZERO: Self = 0.0;
    #[inline]
    fn get(&self, _: usize) -> f64 {
        *self
    }
    #[inline]
    fn set(&mut self, _: usize, value: f64) {
        *self = value;
    }
}

impl FieldValue for Vec3 {
    const N: usize = 3;
    const ZERO: Self = [0.0; 3];
    #[inline]
    fn get(&self, k: usize) -> f64 {
        self[k]
    }
    #[inline]
    fn set(&mut self, k: usize, value: f64) {
        self[k] = value;
    }
}

/// Patankar's implicit under-relaxation of one row: each component's diagonal grows to
/// `(A + A_k)/α` and `b` gains `((A + A_k)/α − A − A_k)·x_prev`, so the fixed point is unchanged;
/// returns the relaxed shared diagonal `A/α` (the matrix's entry). `component` holds the extra
/// diagonals `A_k` (zero without symmetry planes).
#[inline]
fn relax_row<V: FieldValue>(diag: f64, component: V, alpha: f64, previous: V, b: &mut V) -> f64 {
    for k in 0..V::N {
        let extra = component.get(k);
        let dk = (diag + extra) / alpha;
        b.set(k, b.get(k) + (dk - diag - extra) * previous.get(k));
    }
    diag / alpha
}

/// A term's row entries from one boundary face of its owner cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoundaryRow<V> {
    /// Added to the diagonal shared by every component.
    pub diag: f64,
    /// Added to each component's own diagonal (a symmetry plane acts on the normal component
    /// only; OpenFOAM's per-component `internalCoeffs`).
    pub component_diag: V,
    /// Added to `b`.
    pub source: V,
}

impl<V: FieldValue> BoundaryRow<V> {
    /// No entries.
    pub const NONE: Self = BoundaryRow {
        diag: 0.0,
        component_diag: V::ZERO,
        source: V::ZERO,
    };
}

/// One term of a cell-centred equation, evaluated face by face where the assembly gathers it.
pub trait Term<V: FieldValue>: Sync {
    /// Internal face `f` in the row of its owner (`owner_side`) or of its neighbour: the
    /// coefficient added to that row's diagonal and the one of the other cell's value.
    fn internal(&self, f: usize, owner_side: bool) -> (f64, f64);
    /// Whether internal faces carry a deferred (explicit) part; when false, [`Term::deferred`]
    /// is not called.
    fn is_deferred(&self) -> bool {
        false
    }
    /// The deferred part of internal face `f` in its owner's `b` (the neighbour's is its
    /// negative: a flux leaves one cell and enters the other).
    fn deferred(&self, _f: usize) -> V {
        V::ZERO
    }
    /// Boundary face `f` in its owner's row.
    fn boundary(&self, f: usize) -> BoundaryRow<V>;
    /// Cell `c`'s own diagonal and `b` entries, added after its faces.
    fn cell(&self, _c: usize) -> (f64, V) {
        (0.0, V::ZERO)
    }
}

/// A term (or sum of terms) that combines with `+`, `−` and unary `−`.
#[derive(Debug, Clone, Copy)]
pub struct Expr<T>(pub T);

/// `A + B`.
#[derive(Debug, Clone, Copy)]
pub struct Sum<A, B>(A, B);
/// `A − B`.
#[derive(Debug, Clone, Copy)]
pub struct Difference<A, B>(A, B);
/// `−A`.
#[derive(Debug, Clone, Copy)]
pub struct Negated<A>(A);

impl<A, B> Add<Expr<B>> for Expr<A> {
    type Output = Expr<Sum<A, B>>;
    fn add(self, other: Expr<B>) -> Self::Output {
        Expr(Sum(self.0, other.0))
    }
}

impl<A, B> Sub<Expr<B>> for Expr<A> {
    type Output = Expr<Difference<A, B>>;
    fn sub(self, other: Expr<B>) -> Self::Output {
        Expr(Difference(self.0, other.0))
    }
}

impl<A> Neg for Expr<A> {
    type Output = Expr<Negated<A>>;
    fn neg(self) -> Self::Output {
        Expr(Negated(self.0))
    }
}

impl<V: FieldValue, T: Term<V>> Term<V> for Expr<T> {
    #[inline]
    fn internal(&self, f: usize, owner_side: bool) -> (f64, f64) {
        self.0.internal(f, owner_side)
    }
    #[inline]
    fn is_deferred(&self) -> bool {
        self.0.is_deferred()
    }
    #[inline]
    fn deferred(&self, f: usize) -> V {
        self.0.deferred(f)
    }
    #[inline]
    fn boundary(&self, f: usize) -> BoundaryRow<V> {
        self.0.boundary(f)
    }
    #[inline]
    fn cell(&self, c: usize) -> (f64, V) {
        self.0.cell(c)
    }
}

/// A term whose internal faces' deferred parts were evaluated once, face by face, into a face
/// array (see [`Expr::with_deferred_once`]): the assembly's gather visits each internal face from
/// both of its cells, and a deferred part that reads both cells' gradients (a limited
/// linear-upwind convection, a non-orthogonal correction) costs more than the array's load.
#[derive(Debug, Clone, Copy)]
pub struct DeferredOnce<'a, T, V> {
    term: T,
    deferred: &'a [V],
}

impl<T> Expr<T> {
    /// This term with its internal faces' deferred parts evaluated once per face into `buffer`
    /// (resized to `n_internal` faces; `V::N` values a face), in parallel over the faces, and
    /// read from there by the assembly: the same values, half the evaluations.
    pub fn with_deferred_once<V: FieldValue>(
        self,
        n_internal: usize,
        buffer: &mut Vec<V>,
    ) -> Expr<DeferredOnce<'_, T, V>>
    where
        T: Term<V>,
    {
        if self.0.is_deferred() {
            buffer.resize(n_internal, V::ZERO);
            let term = &self.0;
            buffer
                .par_iter_mut()
                .enumerate()
                .with_min_len(CHUNK)
                .for_each(|(f, d)| *d = term.deferred(f));
        }
        self.with_deferred_values(buffer)
    }

    /// This term with its internal faces' deferred parts read from `values` (`values[f]` must
    /// be what [`Term::deferred`] gives for face `f`, when [`Term::is_deferred`]), for a caller
    /// that evaluates them in a face loop of its own (with other per-face work).
    pub fn with_deferred_values<V: FieldValue>(self, values: &[V]) -> Expr<DeferredOnce<'_, T, V>>
    where
        T: Term<V>,
    {
        Expr(DeferredOnce {
            term: self.0,
            deferred: values,
        })
    }
}

impl<V: FieldValue, T: Term<V>> Term<V> for DeferredOnce<'_, T, V> {
    #[inline]
    fn internal(&self, f: usize, owner_side: bool) -> (f64, f64) {
        self.term.internal(f, owner_side)
    }
    #[inline]
    fn is_deferred(&self) -> bool {
        self.term.is_deferred()
    }
    #[inline]
    fn deferred(&self, f: usize) -> V {
        self.deferred[f]
    }
    #[inline]
    fn boundary(&self, f: usize) -> BoundaryRow<V> {
        self.term.boundary(f)
    }
    #[inline]
    fn cell(&self, c: usize) -> (f64, V) {
        self.term.cell(c)
    }
}

/// Combine two terms' entries with `op` (`+` or `−`), deferred parts only where either has one.
macro_rules! combined_term {
    ($name:ident, $op:tt, $value_op:ident) => {
        impl<V: FieldValue, A: Term<V>, B: Term<V>> Term<V> for $name<A, B> {
            #[inline]
            fn internal(&self, f: usize, owner_side: bool) -> (f64, f64) {
                let (a, b) = (self.0.internal(f, owner_side), self.1.internal(f, owner_side));
                (a.0 $op b.0, a.1 $op b.1)
            }
            #[inline]
            fn is_deferred(&self) -> bool {
                self.0.is_deferred() || self.1.is_deferred()
            }
            #[inline]
            fn deferred(&self, f: usize) -> V {
                let a = if self.0.is_deferred() { self.0.deferred(f) } else { V::ZERO };
                let b = if self.1.is_deferred() { self.1.deferred(f) } else { V::ZERO };
                a.$value_op(b)
            }
            #[inline]
            fn boundary(&self, f: usize) -> BoundaryRow<V> {
                let (a, b) = (self.0.boundary(f), self.1.boundary(f));
                BoundaryRow {
                    diag: a.diag $op b.diag,
                    component_diag: a.component_diag.$value_op(b.component_diag),
                    source: a.source.$value_op(b.source),
                }
            }
            #[inline]
            fn cell(&self, c: usize) -> (f64, V) {
                let (a, b) = (self.0.cell(c), self.1.cell(c));
                (a.0 $op b.0, a.1.$value_op(b.1))
            }
        }
    };
}
combined_term!(Sum, +, plus);
combined_term!(Difference, -, minus);

impl<V: FieldValue, A: Term<V>> Term<V> for Negated<A> {
    #[inline]
    fn internal(&self, f: usize, owner_side: bool) -> (f64, f64) {
        let (d, o) = self.0.internal(f, owner_side);
        (-d, -o)
    }
    #[inline]
    fn is_deferred(&self) -> bool {
        self.0.is_deferred()
    }
    #[inline]
    fn deferred(&self, f: usize) -> V {
        self.0.deferred(f).negated()
    }
    #[inline]
    fn boundary(&self, f: usize) -> BoundaryRow<V> {
        let a = self.0.boundary(f);
        BoundaryRow {
            diag: -a.diag,
            component_diag: a.component_diag.negated(),
            source: a.source.negated(),
        }
    }
    #[inline]
    fn cell(&self, c: usize) -> (f64, V) {
        let (d, s) = self.0.cell(c);
        (-d, s.negated())
    }
}

/// An assembled system `A x = b` of a field of `V`s: one matrix shared by the components, the
/// shared diagonal before relaxation, each component's extra diagonal (when any term has one)
/// and `b` per cell.
#[derive(Debug, Clone)]
pub struct System<V> {
    /// `A` in the pattern's CSR form (its diagonal relaxed once [`System::relax`] ran).
    pub matrix: Csr,
    /// The shared diagonal, unrelaxed.
    pub diag: Vec<f64>,
    /// Extra diagonal per component (empty when no term has one).
    pub component_diag: Vec<V>,
    /// `b` per cell.
    pub source: Vec<V>,
    /// The relaxation factor applied (1 before relaxation).
    pub relaxation: f64,
    /// Per-cell relaxation factors that replace [`System::relaxation`] in
    /// [`System::assemble_relaxed`] (empty: the uniform factor): a local pseudo-time step.
    pub cell_relaxation: Vec<f64>,
}

impl<V: FieldValue> System<V> {
    /// An empty system of `pattern`'s structure; `component_diagonals` when a term will have
    /// per-component diagonals (symmetry planes of a vector field).
    pub fn new(pattern: &CellPattern, component_diagonals: bool) -> Self {
        let n = pattern.diag.len();
        System {
            matrix: Csr {
                val: vec![0.0; pattern.matrix.col.len()],
                ..pattern.matrix.clone()
            },
            diag: vec![0.0; n],
            component_diag: if component_diagonals {
                vec![V::ZERO; n]
            } else {
                Vec::new()
            },
            source: vec![V::ZERO; n],
            relaxation: 1.0,
            cell_relaxation: Vec::new(),
        }
    }

    /// Number of cells (rows).
    pub fn n_cells(&self) -> usize {
        self.diag.len()
    }

    /// Whether the components have diagonals of their own.
    pub fn has_component_diagonals(&self) -> bool {
        !self.component_diag.is_empty()
    }

    /// The relaxation factor of cell `c`'s row.
    #[inline]
    pub fn relaxation_of(&self, c: usize) -> f64 {
        self.cell_relaxation
            .get(c)
            .copied()
            .unwrap_or(self.relaxation)
    }

    /// Component `k`'s diagonal of cell `c`, unrelaxed.
    #[inline]
    pub fn diagonal(&self, c: usize, k: usize) -> f64 {
        match self.component_diag.get(c) {
            Some(extra) => self.diag[c] + extra.get(k),
            None => self.diag[c],
        }
    }

    /// Replace the system with `term` assembled on `mesh` (one parallel gather over the cells;
    /// the matrix's diagonal entries hold the shared diagonal).
    pub fn assemble<T: Term<V>>(
        &mut self,
        term: &T,
        mesh: &Mesh,
        cell_faces: &CellFaces,
        pattern: &CellPattern,
    ) {
        let components = if self.component_diag.is_empty() {
            None
        } else {
            Some(self.component_diag.as_mut_slice())
        };
        assemble(
            term,
            mesh,
            cell_faces,
            pattern,
            &mut self.matrix,
            Some(&mut self.diag),
            components,
            &mut self.source,
        );
        self.relaxation = 1.0;
    }

    /// [`System::assemble`] and [`System::relax`] in one pass over the rows: `term`
    /// assembled, relaxed by `alpha` about `previous`, and `rhs[c] = b[c] + extra(c)`.
    #[allow(clippy::too_many_arguments)]
    pub fn assemble_relaxed<T: Term<V>>(
        &mut self,
        term: &T,
        mesh: &Mesh,
        cell_faces: &CellFaces,
        pattern: &CellPattern,
        alpha: f64,
        previous: &[V],
        rhs: &mut [V],
        extra: impl Fn(usize) -> V + Sync,
    ) {
        let has_components = self.has_component_diagonals();
        let components = if has_components {
            Some(self.component_diag.as_mut_slice())
        } else {
            None
        };
        let cell_alpha = &self.cell_relaxation;
        let finish = |c: usize, d: f64, comp: V, b: &mut V, rhs: Option<&mut V>| {
            let alpha = cell_alpha.get(c).copied().unwrap_or(alpha);
            let entry = relax_row(d, comp, alpha, previous[c], b);
            if let Some(rhs) = rhs {
                *rhs = b.plus(extra(c));
            }
            entry
        };
        assemble_finished(
            term,
            mesh,
            cell_faces,
            pattern,
            (
                &mut self.matrix,
                Some(&mut self.diag),
                components,
                &mut self.source,
                Some(rhs),
            ),
            &finish,
        );
        self.relaxation = alpha;
    }

    /// Implicit under-relaxation by `alpha` about `previous` (Patankar): each component's
    /// diagonal grows to `A/α` and `b` gains `(A/α − A)·x_prev`, so the fixed point is
    /// unchanged. The matrix holds the shared diagonal `A/α`; [`System::set_component`] puts a
    /// component's own in.
    pub fn relax(&mut self, alpha: f64, previous: &[V], pattern: &CellPattern) {
        let (diag, components) = (&self.diag, &self.component_diag);
        let positions = &pattern.diag;
        let blocks = self.matrix.row_blocks_mut();
        blocks
            .into_par_iter()
            .zip(self.source.par_chunks_mut(CHUNK))
            .for_each(|((first_row, first_pos, vals), source)| {
                for (i, b) in source.iter_mut().enumerate() {
                    let c = first_row + i;
                    let comp = components.get(c).copied().unwrap_or(V::ZERO);
                    vals[positions[c].get() - first_pos] =
                        relax_row(diag[c], comp, alpha, previous[c], b);
                }
            });
        self.relaxation = alpha;
        self.cell_relaxation.clear();
    }

    /// Put component `k`'s relaxed diagonal into the matrix (systems with component diagonals
    /// are solved one component at a time).
    pub fn set_component(&mut self, k: usize, pattern: &CellPattern) {
        let (diag, components) = (&self.diag, &self.component_diag);
        let positions = &pattern.diag;
        let (cell_alpha, uniform) = (&self.cell_relaxation, self.relaxation);
        let alpha = |c: usize| cell_alpha.get(c).copied().unwrap_or(uniform);
        self.matrix
            .row_blocks_mut()
            .into_par_iter()
            .for_each(|(first_row, first_pos, vals)| {
                let rows = (first_row + CHUNK).min(diag.len());
                for c in first_row..rows {
                    vals[positions[c].get() - first_pos] =
                        (diag[c] + components[c].get(k)) / alpha(c);
                }
            });
    }

    /// [`System::h_and_h1`] handed cell by cell to `finish(c, H, H1, out, aux)`, which writes
    /// the cell's `out` and its `aux_width` entries of `aux` (SIMPLEC's HbyA and rAtU in the
    /// same pass as H).
    pub fn for_each_h<A: Send>(
        &self,
        x: &[V],
        out: &mut [V],
        aux: &mut [A],
        aux_width: usize,
        finish: impl Fn(usize, V, f64, &mut V, &mut [A]) + Sync,
    ) {
        let a = &self.matrix;
        out.par_chunks_mut(CHUNK)
            .zip(aux.par_chunks_mut(CHUNK * aux_width))
            .enumerate()
            .for_each(|(block, (out, aux))| {
                for i in 0..out.len() {
                    let c = block * CHUNK + i;
                    let (mut hc, mut h1c) = (self.source[c], 0.0);
                    for e in a.row_ptr[c]..a.row_ptr[c + 1] {
                        let j = a.col[e] as usize;
                        if j != c {
                            h1c -= a.val[e];
                            for k in 0..V::N {
                                hc.set(k, hc.get(k) - a.val[e] * x[j].get(k));
                            }
                        }
                    }
                    finish(
                        c,
                        hc,
                        h1c,
                        &mut out[i],
                        &mut aux[i * aux_width..(i + 1) * aux_width],
                    );
                }
            });
    }

    /// OpenFOAM's `H` and `H1` in one pass: `H(x) = b − Σ_nb a_nb x_nb` (every component) and
    /// `H1 = −Σ_nb a_nb`, per cell.
    pub fn h_and_h1(&self, x: &[V], h: &mut [V], h1: &mut [f64]) {
        self.for_each_h(x, h, h1, 1, |_, hc, h1c, out, aux| {
            *out = hc;
            aux[0] = h1c;
        });
    }
}

/// Assemble `term` on `mesh` into `matrix` (of `pattern`'s structure; values overwritten, the
/// diagonal entries set to the shared diagonal), `diag` (the shared diagonal, when wanted), `component_diag`
/// (each component's extra diagonal, when wanted) and `source` (`b`): one parallel gather over
/// the cells, every thread writing only its own rows.
#[allow(clippy::too_many_arguments)]
pub fn assemble<V: FieldValue, T: Term<V>>(
    term: &T,
    mesh: &Mesh,
    cell_faces: &CellFaces,
    pattern: &CellPattern,
    matrix: &mut Csr,
    diag: Option<&mut [f64]>,
    component_diag: Option<&mut [V]>,
    source: &mut [V],
) {
    assemble_finished(
        term,
        mesh,
        cell_faces,
        pattern,
        (matrix, diag, component_diag, source, None),
        &|_, d, _, _, _| d,
    );
}

/// What [`assemble_finished`] writes: the matrix, the shared diagonal and the component
/// diagonals (when wanted), `b`, and a right-hand side (when wanted).
type Outputs<'o, V> = (
    &'o mut Csr,
    Option<&'o mut [f64]>,
    Option<&'o mut [V]>,
    &'o mut [V],
    Option<&'o mut [V]>,
);

/// A cell's last step of assembly: given the cell, its shared diagonal, component diagonals,
/// `b` (mutable) and its right-hand side entry (when wanted), the value of the matrix's
/// diagonal entry (relaxation is done here, in the same pass).
type Finish<'f, V> = dyn Fn(usize, f64, V, &mut V, Option<&mut V>) -> f64 + Sync + 'f;

/// [`assemble`] with a per-cell `finish` in the same pass.
fn assemble_finished<V: FieldValue, T: Term<V>>(
    term: &T,
    mesh: &Mesh,
    cell_faces: &CellFaces,
    pattern: &CellPattern,
    outputs: Outputs<'_, V>,
    finish: &Finish<'_, V>,
) {
    let (matrix, diag, component_diag, source, rhs) = outputs;
    let ni = mesh.n_internal_faces;
    let deferred = term.is_deferred();
    let has_components = component_diag.is_some();
    let blocks = matrix.row_blocks_mut();
    let mut component_blocks: Vec<Option<&mut [V]>> = match component_diag {
        Some(components) => components.chunks_mut(CHUNK).map(Some).collect(),
        None => (0..blocks.len()).map(|_| None).collect(),
    };
    let mut diag_blocks: Vec<Option<&mut [f64]>> = match diag {
        Some(diag) => diag.chunks_mut(CHUNK).map(Some).collect(),
        None => (0..blocks.len()).map(|_| None).collect(),
    };
    let mut rhs_blocks: Vec<Option<&mut [V]>> = match rhs {
        Some(rhs) => rhs.chunks_mut(CHUNK).map(Some).collect(),
        None => (0..blocks.len()).map(|_| None).collect(),
    };
    blocks
        .into_par_iter()
        .zip(source.par_chunks_mut(CHUNK))
        .zip(component_blocks.par_iter_mut())
        .zip(diag_blocks.par_iter_mut())
        .zip(rhs_blocks.par_iter_mut())
        .for_each(
            |(((((first_row, first_pos, vals), source), comp), diag), rhs)| {
                vals.iter_mut().for_each(|v| *v = 0.0);
                for i in 0..source.len() {
                    let c = first_row + i;
                    let (mut d, mut extra, mut b) = (0.0, V::ZERO, V::ZERO);
                    for &f in cell_faces.of(c) {
                        let f = f as usize;
                        if f < ni {
                            let owner_side = mesh.owner[f] as usize == c;
                            let pos = if owner_side {
                                pattern.upper[f]
                            } else {
                                pattern.lower[f]
                            };
                            let (dd, off) = term.internal(f, owner_side);
                            d += dd;
                            vals[pos.get() - first_pos] += off;
                            if deferred {
                                let flux = term.deferred(f);
                                b = if owner_side {
                                    b.plus(flux)
                                } else {
                                    b.minus(flux)
                                };
                            }
                        } else {
                            let row = term.boundary(f);
                            d += row.diag;
                            if has_components {
                                extra = extra.plus(row.component_diag);
                            }
                            b = b.plus(row.source);
                        }
                    }
                    let (dc, bc) = term.cell(c);
                    d += dc;
                    b = b.plus(bc);
                    if let Some(diag) = diag.as_deref_mut() {
                        diag[i] = d;
                    }
                    if let Some(comp) = comp.as_deref_mut() {
                        comp[i] = extra;
                    }
                    let entry = finish(c, d, extra, &mut b, rhs.as_deref_mut().map(|r| &mut r[i]));
                    source[i] = b;
                    vals[pattern.diag[c].get() - first_pos] = entry;
                }
            },
        );
}

/// Only `b` of `term` (an affine equation whose matrix is already assembled): the deferred
/// parts, boundary sources and cell sources, gathered per cell in parallel.
pub fn assemble_source<V: FieldValue, T: Term<V>>(
    term: &T,
    mesh: &Mesh,
    cell_faces: &CellFaces,
    source: &mut [V],
) {
    let ni = mesh.n_internal_faces;
    let deferred = term.is_deferred();
    source
        .par_iter_mut()
        .enumerate()
        .with_min_len(CHUNK)
        .for_each(|(c, out)| {
            let mut b = V::ZERO;
            for &f in cell_faces.of(c) {
                let f = f as usize;
                if f < ni {
                    if deferred {
                        let flux = term.deferred(f);
                        b = if mesh.owner[f] as usize == c {
                            b.plus(flux)
                        } else {
                            b.minus(flux)
                        };
                    }
                } else {
                    b = b.plus(term.boundary(f).source);
                }
            }
            *out = b.plus(term.cell(c).1);
        });
}

/// How a convected face value of a vector field is formed; both are bounded
/// (OpenFOAM's `bounded Gauss`): the cell's net outflow is subtracted from its diagonal, so a
/// continuity error of the lagged fluxes can neither weaken the diagonal below the neighbours'
/// sum nor drive SIMPLEC's `1/(A − H1)` to infinity.
#[derive(Clone, Copy)]
pub enum VectorConvection<'a> {
    /// First-order upwind.
    Upwind,
    /// Upwind plus the limited linear extrapolation `ψ_k ∇u_k · (x_f − x_C)` from the upwind
    /// cell, deferred: per-cell component gradients and limiter factors.
    LimitedLinearUpwind {
        /// Gradient of each component per cell.
        gradient: &'a [[Vec3; 3]],
        /// Limiter factor of each component per cell.
        limiter: &'a [Vec3],
    },
}

/// The boundary condition of a vector field on one face (the velocity's vocabulary below the
/// physics: the flow maps its patch kinds to these).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum VectorCondition {
    /// A fixed value (inlet velocity, wall velocity).
    Fixed(Vec3),
    /// Zero normal gradient (outlet).
    ZeroGradient,
    /// A symmetry plane with this unit normal: zero normal component, zero shear.
    Symmetry(Vec3),
}

/// `∫ ∇·(φ u) dV` of a vector field `u` with face mass fluxes `flux` (owner → neighbour, out of
/// the domain on boundaries), bounded; fixed-value faces bring their value in where the flux
/// enters.
#[derive(Clone, Copy)]
pub struct Convection<'a, B> {
    mesh: &'a Mesh,
    flux: &'a [f64],
    scheme: VectorConvection<'a>,
    bc: B,
}

/// [`Convection`] of a vector field: `bc(f)` gives boundary face `f`'s condition.
pub fn div<'a, B: Fn(usize) -> VectorCondition + Sync>(
    mesh: &'a Mesh,
    flux: &'a [f64],
    scheme: VectorConvection<'a>,
    bc: B,
) -> Expr<Convection<'a, B>> {
    Expr(Convection {
        mesh,
        flux,
        scheme,
        bc,
    })
}

impl<B: Fn(usize) -> VectorCondition + Sync> Term<Vec3> for Convection<'_, B> {
    /// Bounded: the upwind coefficients less the face's share of the cell's net outflow, so
    /// the face adds `(−out)⁺` to the diagonal and `−(−out)⁺` to the inflowing neighbour's
    /// column (the row sums to zero whatever the continuity error of the lagged fluxes).
    #[inline]
    fn internal(&self, f: usize, owner_side: bool) -> (f64, f64) {
        let out = if owner_side {
            self.flux[f]
        } else {
            -self.flux[f]
        };
        let inflow = (-out).max(0.0);
        (inflow, -inflow)
    }
    fn is_deferred(&self) -> bool {
        matches!(self.scheme, VectorConvection::LimitedLinearUpwind { .. })
    }
    #[inline]
    fn deferred(&self, f: usize) -> Vec3 {
        let VectorConvection::LimitedLinearUpwind { gradient, limiter } = self.scheme else {
            return [0.0; 3];
        };
        let mesh = self.mesh;
        let phi = self.flux[f];
        let up = if phi >= 0.0 {
            mesh.owner[f] as usize
        } else {
            mesh.neighbour[f] as usize
        };
        let r = crate::mesh::sub(mesh.face_centre[f], mesh.cell_centre[up]);
        let mut out = [0.0; 3];
        for (k, o) in out.iter_mut().enumerate() {
            *o = -(phi * limiter[up][k] * dot(gradient[up][k], r));
        }
        out
    }
    #[inline]
    fn boundary(&self, f: usize) -> BoundaryRow<Vec3> {
        let phi = self.flux[f];
        let source = match (self.bc)(f) {
            VectorCondition::Fixed(value) => value.map(|v| (-phi).max(0.0) * v),
            VectorCondition::ZeroGradient | VectorCondition::Symmetry(_) => [0.0; 3],
        };
        BoundaryRow {
            // bounded: φ⁺ − φ
            diag: (-phi).max(0.0),
            component_diag: [0.0; 3],
            source,
        }
    }
}

/// `∫ ∇·(Γ ∇u) dV` of a vector field `u` with face conductances `conductance[f]`
/// (`A/(d_P/Γ_P + d_N/Γ_N)`, boundary `Γ_P A/d_P`), two-point between `P'` and `N'` with the
/// non-orthogonal correction deferred when `gradient` is given (the component gradients of `u`).
#[derive(Clone, Copy)]
pub struct Diffusion<'a, B> {
    geometry: &'a FaceGeometry,
    conductance: &'a [f64],
    field: &'a [Vec3],
    gradient: Option<&'a [[Vec3; 3]]>,
    owner: &'a [u32],
    neighbour: &'a [u32],
    bc: B,
    limit: Option<f64>,
}

impl<B> Expr<Diffusion<'_, B>> {
    /// Bound each internal face's deferred correction to `limit` times the face's orthogonal
    /// flux, per component (OpenFOAM's `limited corrected ψ`); `None` leaves it unbounded.
    pub fn limited(mut self, limit: Option<f64>) -> Self {
        self.0.limit = limit;
        self
    }
}

/// [`Diffusion`] of the vector field `field`: `bc(f)` gives boundary face `f`'s condition;
/// `gradient` the component gradients for the non-orthogonal correction (`None` on orthogonal
/// meshes).
pub fn laplacian<'a, B: Fn(usize) -> VectorCondition + Sync>(
    mesh: &'a Mesh,
    geometry: &'a FaceGeometry,
    conductance: &'a [f64],
    field: &'a [Vec3],
    gradient: Option<&'a [[Vec3; 3]]>,
    bc: B,
) -> Expr<Diffusion<'a, B>> {
    Expr(Diffusion {
        geometry,
        conductance,
        field,
        gradient: if geometry.orthogonal { None } else { gradient },
        owner: &mesh.owner,
        neighbour: &mesh.neighbour,
        bc,
        limit: None,
    })
}

impl<B: Fn(usize) -> VectorCondition + Sync> Term<Vec3> for Diffusion<'_, B> {
    #[inline]
    fn internal(&self, f: usize, _owner_side: bool) -> (f64, f64) {
        let d = self.conductance[f];
        (-d, d)
    }
    fn is_deferred(&self) -> bool {
        self.gradient.is_some()
    }
    #[inline]
    fn deferred(&self, f: usize) -> Vec3 {
        let Some(grads) = self.gradient else {
            return [0.0; 3];
        };
        let g = self.geometry;
        let (p, q) = (self.owner[f] as usize, self.neighbour[f] as usize);
        let d = self.conductance[f];
        let mut out = [0.0; 3];
        for (k, o) in out.iter_mut().enumerate() {
            // the flux between P' and N' less the one between the centres, into P (b of
            // ∇·(Γ∇u) is minus what enters)
            let correction =
                d * (dot(grads[q][k], g.neighbour_offset[f]) - dot(grads[p][k], g.owner_offset[f]));
            *o = -match self.limit {
                Some(psi) => {
                    let most = psi * (d * (self.field[q][k] - self.field[p][k])).abs();
                    correction.clamp(-most, most)
                }
                None => correction,
            };
        }
        out
    }
    #[inline]
    fn boundary(&self, f: usize) -> BoundaryRow<Vec3> {
        let d = self.conductance[f];
        let p = self.owner[f] as usize;
        match (self.bc)(f) {
            VectorCondition::Fixed(value) => {
                let mut source = [0.0; 3];
                for (k, s) in source.iter_mut().enumerate() {
                    // the wall shear from the value at P' (on the face normal through the face
                    // centre), as the conduction fluxes do
                    let correction = match self.gradient {
                        Some(grads) => d * dot(grads[p][k], self.geometry.owner_offset[f]),
                        None => 0.0,
                    };
                    *s = -(d * value[k]) + correction;
                }
                BoundaryRow {
                    diag: -d,
                    component_diag: [0.0; 3],
                    source,
                }
            }
            VectorCondition::ZeroGradient => BoundaryRow::NONE,
            VectorCondition::Symmetry(n) => {
                // the normal component is pulled to zero implicitly, per component (n_k²), the
                // tangential ones are free; the coupling of the components is deferred
                let u = self.field[p];
                let mut component_diag = [0.0; 3];
                let mut source = [0.0; 3];
                for k in 0..3 {
                    component_diag[k] = -(d * n[k] * n[k]);
                    let others: f64 = (0..3).filter(|&j| j != k).map(|j| n[j] * u[j]).sum();
                    source[k] = d * n[k] * others;
                }
                BoundaryRow {
                    diag: 0.0,
                    component_diag,
                    source,
                }
            }
        }
    }
}

/// The boundary condition of a scalar on one face, resolved for the face.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ScalarCondition {
    /// No flux (adiabatic wall, symmetry plane; zero-gradient outlet pressure).
    ZeroGradient,
    /// The value the face's conductance connects the cell to (a wall temperature corrected to
    /// the cell's point on the face normal, a Robin ambient, a fixed outlet pressure).
    Fixed(f64),
    /// A fixed flux into the domain through the whole face (W for heat).
    Flux(f64),
}

/// `∫ ∇·(Γ ∇x) dV` of a scalar with face conductances `conductance(f)` (`A/(d_P/Γ_P +
/// d_N/Γ_N + R)` on internal faces: interfaces and contact resistances are the conductance's;
/// on boundary faces to the wall or through a film), boundary conditions `condition(f)`, and an
/// optional deferred non-orthogonal correction `correction(f)`: the difference of the values
/// at `P'` and `N'` from those at the centres, `(∇x_P · r_P − ∇x_N · r_N)` (limited as the
/// caller likes), whose flux `−Γ_f·correction` the owner loses.
#[derive(Clone, Copy)]
pub struct ScalarDiffusion<G, C, K> {
    conductance: G,
    condition: C,
    correction: Option<K>,
}

/// [`ScalarDiffusion`].
pub fn laplacian_scalar<G, C, K>(
    conductance: G,
    condition: C,
    correction: Option<K>,
) -> Expr<ScalarDiffusion<G, C, K>>
where
    G: Fn(usize) -> f64 + Sync,
    C: Fn(usize) -> ScalarCondition + Sync,
    K: Fn(usize) -> f64 + Sync,
{
    Expr(ScalarDiffusion {
        conductance,
        condition,
        correction,
    })
}

/// No deferred correction, for [`laplacian_scalar`] on orthogonal parts (the type of `None`).
pub const NO_CORRECTION: Option<fn(usize) -> f64> = None;

impl<G, C, K> Term<f64> for ScalarDiffusion<G, C, K>
where
    G: Fn(usize) -> f64 + Sync,
    C: Fn(usize) -> ScalarCondition + Sync,
    K: Fn(usize) -> f64 + Sync,
{
    #[inline]
    fn internal(&self, f: usize, _owner_side: bool) -> (f64, f64) {
        let g = (self.conductance)(f);
        (-g, g)
    }
    #[inline]
    fn is_deferred(&self) -> bool {
        self.correction.is_some()
    }
    #[inline]
    fn deferred(&self, f: usize) -> f64 {
        match &self.correction {
            Some(correction) => (self.conductance)(f) * correction(f),
            None => 0.0,
        }
    }
    #[inline]
    fn boundary(&self, f: usize) -> BoundaryRow<f64> {
        match (self.condition)(f) {
            ScalarCondition::ZeroGradient => BoundaryRow::NONE,
            ScalarCondition::Fixed(value) => {
                let g = (self.conductance)(f);
                BoundaryRow {
                    diag: -g,
                    component_diag: 0.0,
                    source: -(g * value),
                }
            }
            ScalarCondition::Flux(heat_in) => BoundaryRow {
                diag: 0.0,
                component_diag: 0.0,
                source: -heat_in,
            },
        }
    }
}

/// `∫ ∇·(F (x − x_ref)) dV` of a scalar, first-order upwind with an optional deferred
/// higher-order part: face capacity fluxes `flux(f)` (signed owner → neighbour, out of the
/// domain on boundaries; W/K for heat: ṁ c_p of the upwind cell), the datum `x_ref` (the
/// enthalpy reference temperature), `upwind_correction(f)` (the limited extrapolation from the
/// upwind cell to the face, `ψ ∇x · (x_f − x_up)`, in units of x) and `inflow(f)`, what enters
/// through a boundary face where the flux is inward (W for heat).
#[derive(Clone, Copy)]
pub struct ScalarConvection<F, U, I> {
    flux: F,
    datum: f64,
    upwind_correction: Option<U>,
    inflow: I,
}

/// [`ScalarConvection`].
pub fn div_scalar<F, U, I>(
    flux: F,
    datum: f64,
    upwind_correction: Option<U>,
    inflow: I,
) -> Expr<ScalarConvection<F, U, I>>
where
    F: Fn(usize) -> f64 + Sync,
    U: Fn(usize) -> f64 + Sync,
    I: Fn(usize) -> f64 + Sync,
{
    Expr(ScalarConvection {
        flux,
        datum,
        upwind_correction,
        inflow,
    })
}

impl<F, U, I> Term<f64> for ScalarConvection<F, U, I>
where
    F: Fn(usize) -> f64 + Sync,
    U: Fn(usize) -> f64 + Sync,
    I: Fn(usize) -> f64 + Sync,
{
    #[inline]
    fn internal(&self, f: usize, owner_side: bool) -> (f64, f64) {
        let phi = (self.flux)(f);
        let out = if owner_side { phi } else { -phi };
        (out.max(0.0), -(-out).max(0.0))
    }
    #[inline]
    fn is_deferred(&self) -> bool {
        true
    }
    #[inline]
    fn deferred(&self, f: usize) -> f64 {
        // the datum and the higher-order part leave the upwind cell and enter the other
        let phi = (self.flux)(f);
        if phi == 0.0 {
            // nothing crosses (solid faces of a conjugate mesh): no correction to evaluate
            return 0.0;
        }
        let correction = self.upwind_correction.as_ref().map_or(0.0, |u| u(f));
        let m = phi.abs();
        let leaving = m * self.datum - m * correction;
        if phi >= 0.0 {
            leaving
        } else {
            -leaving
        }
    }
    #[inline]
    fn boundary(&self, f: usize) -> BoundaryRow<f64> {
        let phi = (self.flux)(f);
        if phi > 0.0 {
            BoundaryRow {
                diag: phi,
                component_diag: 0.0,
                source: phi * self.datum,
            }
        } else if phi < 0.0 {
            BoundaryRow {
                diag: 0.0,
                component_diag: 0.0,
                source: (self.inflow)(f),
            }
        } else {
            BoundaryRow::NONE
        }
    }
}

/// `∫ q dV`: an explicit source, `q(c)` the cell's integrated value (W for heat).
#[derive(Clone, Copy)]
pub struct Source<Q>(Q);

/// [`Source`].
pub fn su<Q: Fn(usize) -> f64 + Sync>(q: Q) -> Expr<Source<Q>> {
    Expr(Source(q))
}

impl<Q: Fn(usize) -> f64 + Sync> Term<f64> for Source<Q> {
    #[inline]
    fn internal(&self, _f: usize, _owner_side: bool) -> (f64, f64) {
        (0.0, 0.0)
    }
    #[inline]
    fn boundary(&self, _f: usize) -> BoundaryRow<f64> {
        BoundaryRow::NONE
    }
    #[inline]
    fn cell(&self, c: usize) -> (f64, f64) {
        (0.0, -(self.0)(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discretisation::fvm;
    use crate::discretisation::PatchCondition;
    use crate::mesh::structured::{BoxArrays, BoxCells};

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{a} vs {b}");
    }

    /// Fused vector terms, one component at a time, against the eager scalar operators on a
    /// jittered tetrahedral mesh: the same matrix and sources.
    #[test]
    fn fused_momentum_terms_match_the_eager_operators_per_component() {
        let mesh = BoxArrays::new([3, 2, 2], [1.0, 0.7, 0.5], BoxCells::Tetra)
            .build()
            .unwrap();
        let n = mesh.n_cells();
        let ni = mesh.n_internal_faces;
        let cell_faces = CellFaces::new(&mesh);
        let pattern = CellPattern::new(&mesh);
        let geometry = FaceGeometry::new(&mesh);
        let conductance: Vec<f64> = (0..mesh.n_faces())
            .map(|f| {
                let t = geometry.two_point(&mesh, f);
                if f < ni {
                    t.conductance(2.0, 2.0, 0.0)
                } else {
                    t.wall_conductance(2.0)
                }
            })
            .collect();
        // a flux field with both signs, fixed values on every boundary face
        let flux: Vec<f64> = (0..mesh.n_faces())
            .map(|f| ((f * 7919) % 13) as f64 - 6.0)
            .collect();
        let wall = |f: usize| [0.1 * f as f64, -0.2, 0.3 + 0.01 * f as f64];
        let u: Vec<Vec3> = (0..n).map(|c| [c as f64, 1.0, -0.5 * c as f64]).collect();
        let bc = |f: usize| VectorCondition::Fixed(wall(f));
        // orthogonal parts only (no gradient), upwind
        let term = div(&mesh, &flux, VectorConvection::Upwind, bc)
            - laplacian(&mesh, &geometry, &conductance, &u, None, bc);
        let mut system = System::<Vec3>::new(&pattern, false);
        system.assemble(&term, &mesh, &cell_faces, &pattern);
        let net = crate::discretisation::fvc::div(&mesh, &flux);
        for k in 0..3 {
            let eager = fvm::div(&mesh, &flux, fvm::Convection::Upwind, |f| wall(f)[k])
                - fvm::laplacian(
                    &mesh,
                    &conductance,
                    |f| PatchCondition::Fixed(wall(f)[k]),
                    |_| 0.0,
                    fvm::Correction::None,
                )
                - fvm::sp(
                    &mesh,
                    &net.iter()
                        .zip(&mesh.cell_volume)
                        .map(|(d, v)| d / v)
                        .collect::<Vec<_>>(),
                );
            let csr = eager.to_csr(&mesh, &pattern);
            for (a, b) in system.matrix.val.iter().zip(&csr.val) {
                close(*a, *b);
            }
            for c in 0..n {
                close(system.source[c][k], eager.source[c]);
            }
        }
        // H and H1: b − Σ a_nb u_nb and −Σ a_nb
        let mut h = vec![[0.0; 3]; n];
        let mut h1 = vec![0.0; n];
        system.h_and_h1(&u, &mut h, &mut h1);
        let mut ax = vec![[0.0; 3]; n];
        for c in 0..n {
            for e in system.matrix.row_ptr[c]..system.matrix.row_ptr[c + 1] {
                let j = system.matrix.col[e] as usize;
                for k in 0..3 {
                    ax[c][k] += system.matrix.val[e] * u[j][k];
                }
            }
            for k in 0..3 {
                close(
                    h[c][k],
                    system.source[c][k] - (ax[c][k] - system.diag[c] * u[c][k]),
                );
            }
        }
    }

    /// A term whose deferred parts are evaluated once per face assembles the same system, bit
    /// for bit, as the term evaluated from both cells of each face.
    #[test]
    fn deferred_parts_evaluated_once_per_face_assemble_the_same_system() {
        let mesh = BoxArrays::new([3, 3, 2], [1.0, 0.8, 0.5], BoxCells::Tetra)
            .build()
            .unwrap();
        let n = mesh.n_cells();
        let ni = mesh.n_internal_faces;
        let cell_faces = CellFaces::new(&mesh);
        let pattern = CellPattern::new(&mesh);
        let geometry = FaceGeometry::new(&mesh);
        let conductance: Vec<f64> = (0..mesh.n_faces())
            .map(|f| 0.5 + 0.01 * (f % 17) as f64)
            .collect();
        let flux: Vec<f64> = (0..mesh.n_faces())
            .map(|f| ((f * 7919) % 13) as f64 - 6.0)
            .collect();
        let u: Vec<Vec3> = (0..n)
            .map(|c| {
                [
                    (c as f64).sin(),
                    1.0 + 0.1 * c as f64,
                    (0.3 * c as f64).cos(),
                ]
            })
            .collect();
        let gradient: Vec<[Vec3; 3]> = (0..n)
            .map(|c| {
                let x = c as f64;
                [[x, -0.5, 0.2], [0.1, x.sqrt(), -x], [1.0, 2.0, 0.3 * x]]
            })
            .collect();
        let limiter: Vec<Vec3> = (0..n).map(|c| [1.0, 0.5, (c % 3) as f64 / 2.0]).collect();
        let bc = |f: usize| VectorCondition::Fixed([0.1 * f as f64, -0.2, 0.3]);
        let scheme = VectorConvection::LimitedLinearUpwind {
            gradient: &gradient,
            limiter: &limiter,
        };
        let term = || {
            div(&mesh, &flux, scheme, bc)
                - laplacian(&mesh, &geometry, &conductance, &u, Some(&gradient), bc)
                    .limited(Some(0.5))
        };
        assert!(term().is_deferred());
        let mut reference = System::<Vec3>::new(&pattern, false);
        reference.assemble(&term(), &mesh, &cell_faces, &pattern);
        let mut buffer = Vec::new();
        let mut once = System::<Vec3>::new(&pattern, false);
        once.assemble(
            &term().with_deferred_once(ni, &mut buffer),
            &mesh,
            &cell_faces,
            &pattern,
        );
        assert_eq!(buffer.len(), ni);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&once.matrix.val), bits(&reference.matrix.val));
        assert_eq!(bits(&once.diag), bits(&reference.diag));
        for c in 0..n {
            assert_eq!(
                once.source[c].map(f64::to_bits),
                reference.source[c].map(f64::to_bits)
            );
        }
    }

    /// Relaxation keeps the fixed point: a converged `x` of the unrelaxed system solves the
    /// relaxed one.
    #[test]
    fn relaxation_keeps_the_solution() {
        let mesh = BoxArrays::new([4, 1, 1], [4.0, 1.0, 1.0], BoxCells::Hexa)
            .build()
            .unwrap();
        let cell_faces = CellFaces::new(&mesh);
        let pattern = CellPattern::new(&mesh);
        let geometry = FaceGeometry::new(&mesh);
        let conductance = vec![1.0; mesh.n_faces()];
        let u = vec![[0.0; 3]; mesh.n_cells()];
        let term = -laplacian(&mesh, &geometry, &conductance, &u, None, |_| {
            VectorCondition::Fixed([1.0, 2.0, 3.0])
        });
        let mut system = System::<Vec3>::new(&pattern, false);
        system.assemble(&term, &mesh, &cell_faces, &pattern);
        // every boundary fixed at (1, 2, 3): the solution is uniform
        let x = vec![[1.0, 2.0, 3.0]; mesh.n_cells()];
        system.relax(0.7, &x, &pattern);
        let mut r = vec![[0.0; 3]; mesh.n_cells()];
        let mut h1 = vec![0.0; mesh.n_cells()];
        system.h_and_h1(&x, &mut r, &mut h1);
        for c in 0..mesh.n_cells() {
            for k in 0..3 {
                // A/α x = H(x)
                close(system.diag[c] / 0.7 * x[c][k], r[c][k]);
            }
        }
    }

    /// The fused scalar terms against the eager operators on a jittered tetrahedral mesh:
    /// `div − laplacian − su` with every boundary kind, same matrix and sources.
    #[test]
    fn fused_scalar_terms_match_the_eager_operators() {
        let mesh = BoxArrays::new([3, 2, 2], [1.0, 0.7, 0.5], BoxCells::Tetra)
            .build()
            .unwrap();
        let n = mesh.n_cells();
        let ni = mesh.n_internal_faces;
        let cell_faces = CellFaces::new(&mesh);
        let pattern = CellPattern::new(&mesh);
        let geometry = FaceGeometry::new(&mesh);
        let conductance: Vec<f64> = (0..mesh.n_faces())
            .map(|f| {
                let t = geometry.two_point(&mesh, f);
                if f < ni {
                    t.conductance(3.0, 0.5, 1e-3)
                } else {
                    t.wall_conductance(3.0)
                }
            })
            .collect();
        let flux: Vec<f64> = (0..mesh.n_faces())
            .map(|f| ((f * 7919) % 13) as f64 - 6.0)
            .collect();
        // boundary faces cycle through fixed, flux and adiabatic
        let eager_bc = |f: usize| match f % 3 {
            0 => PatchCondition::Fixed(300.0 + f as f64),
            1 => PatchCondition::Flux(50.0),
            _ => PatchCondition::Adiabatic,
        };
        let area = |f: usize| crate::mesh::norm(mesh.face_area[f]);
        let fused_bc = |f: usize| match eager_bc(f) {
            PatchCondition::Fixed(v) => ScalarCondition::Fixed(v),
            PatchCondition::Flux(q) => ScalarCondition::Flux(q * area(f)),
            _ => ScalarCondition::ZeroGradient,
        };
        let inflow_value = |f: usize| 280.0 + 0.5 * f as f64;
        let q: Vec<f64> = (0..n).map(|c| 10.0 + c as f64).collect();
        let term = div_scalar(
            |f: usize| flux[f],
            0.0,
            NO_CORRECTION,
            |f: usize| -flux[f] * inflow_value(f),
        ) - laplacian_scalar(|f: usize| conductance[f], fused_bc, NO_CORRECTION)
            - su(|c: usize| q[c] * mesh.cell_volume[c]);
        let mut matrix = pattern.matrix.clone();
        let mut b = vec![0.0; n];
        assemble(
            &term,
            &mesh,
            &cell_faces,
            &pattern,
            &mut matrix,
            None,
            None,
            &mut b,
        );
        let eager = fvm::div(&mesh, &flux, fvm::Convection::Upwind, inflow_value)
            - fvm::laplacian(&mesh, &conductance, eager_bc, area, fvm::Correction::None)
            - fvm::su(&mesh, &q);
        let csr = eager.to_csr(&mesh, &pattern);
        for (a, e) in matrix.val.iter().zip(&csr.val) {
            close(*a, *e);
        }
        for c in 0..n {
            close(b[c], eager.source[c]);
        }
        // the source alone, as an affine equation re-assembles it
        let mut b_only = vec![0.0; n];
        assemble_source(&term, &mesh, &cell_faces, &mut b_only);
        for c in 0..n {
            close(b_only[c], b[c]);
        }
    }

    /// A deferred correction's flux leaves the owner and enters the neighbour: it adds nothing
    /// to the sum of `b` over the cells.
    #[test]
    fn deferred_corrections_are_conservative() {
        let mesh = BoxArrays::new([3, 3, 2], [1.0, 0.8, 0.5], BoxCells::Tetra)
            .build()
            .unwrap();
        let cell_faces = CellFaces::new(&mesh);
        let mut b = vec![0.0; mesh.n_cells()];
        let term = laplacian_scalar(
            |f: usize| 1.0 + f as f64,
            |_| ScalarCondition::ZeroGradient,
            Some(|f: usize| ((f * 31) % 7) as f64 - 3.0),
        );
        assemble_source(&term, &mesh, &cell_faces, &mut b);
        let total: f64 = b.iter().sum();
        let scale: f64 = b.iter().map(|x| x.abs()).sum();
        assert!(
            scale > 1.0 && total.abs() < 1e-12 * scale,
            "{total} of {scale}"
        );
    }

    /// A boundary kind added in this test module alone (no edit elsewhere): a film coefficient
    /// from the cell centre straight to an ambient, as its own term beside the laplacian. On a
    /// 1D rod with a fixed temperature at one end the solution is linear and the heat flow is
    /// the series-resistance value to round-off.
    #[test]
    fn a_toy_boundary_kind_needs_only_its_own_term() {
        struct CentreFilm<'a> {
            mesh: &'a Mesh,
            h: f64,
            ambient: f64,
            at: f64,
        }
        impl Term<f64> for CentreFilm<'_> {
            fn internal(&self, _f: usize, _owner_side: bool) -> (f64, f64) {
                (0.0, 0.0)
            }
            fn boundary(&self, f: usize) -> BoundaryRow<f64> {
                if (self.mesh.face_centre[f][0] - self.at).abs() > 1e-12 {
                    return BoundaryRow::NONE;
                }
                let ha = self.h * crate::mesh::norm(self.mesh.face_area[f]);
                BoundaryRow {
                    diag: ha,
                    component_diag: 0.0,
                    source: ha * self.ambient,
                }
            }
        }
        let (n, length, k, h) = (8, 0.4, 5.0, 30.0);
        let mesh = BoxArrays::new([n, 1, 1], [length, 0.1, 0.1], BoxCells::Hexa)
            .build()
            .unwrap();
        let geometry = FaceGeometry::new(&mesh);
        let cell_faces = CellFaces::new(&mesh);
        let pattern = CellPattern::new(&mesh);
        let ni = mesh.n_internal_faces;
        let conductance = |f: usize| {
            let t = geometry.two_point(&mesh, f);
            if f < ni {
                t.conductance(k, k, 0.0)
            } else {
                t.wall_conductance(k)
            }
        };
        let (t0, ambient) = (400.0, 300.0);
        let condition = |f: usize| {
            if mesh.face_centre[f][0].abs() < 1e-12 {
                ScalarCondition::Fixed(t0)
            } else {
                ScalarCondition::ZeroGradient
            }
        };
        let film = Expr(CentreFilm {
            mesh: &mesh,
            h,
            ambient,
            at: length,
        });
        let term = -laplacian_scalar(conductance, condition, NO_CORRECTION) + film;
        let mut a = pattern.matrix.clone();
        let mut b = vec![0.0; n];
        assemble(
            &term,
            &mesh,
            &cell_faces,
            &pattern,
            &mut a,
            None,
            None,
            &mut b,
        );
        let mut t = vec![ambient; n];
        let amg = crate::linalg::Amg::new(&a, crate::linalg::AmgSettings::default());
        let settings = crate::linalg::SolveSettings {
            relative_tolerance: 1e-14,
            absolute_tolerance: 0.0,
            max_iterations: 200,
        };
        crate::linalg::cg(&a, &b, &mut t, &amg, settings, &|| false).unwrap();
        // the wall to the last centre through the rod, then the film
        let area = 0.1 * 0.1;
        let dx = length / n as f64;
        let resistance = (length - dx / 2.0) / (k * area) + 1.0 / (h * area);
        let heat = (t0 - ambient) / resistance;
        close(h * area * (t[n - 1] - ambient), heat);
        for c in 1..n {
            close(t[c - 1] - t[c], heat * dx / (k * area));
        }
    }
}
