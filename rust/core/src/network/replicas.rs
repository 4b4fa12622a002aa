//! Hydraulically separate parts of a network that are copies of one another.
//!
//! A hall of identical racks is one facility loop plus thousands of rack loops that touch it
//! only through their CDUs' heat: each rack loop is a part of its own in the hydraulic system,
//! and when two such parts have the same edges (same components, same connections, same
//! elevation changes, same reference pressures) and carry coolant of the same properties, their
//! Newton iterations are the same numbers. The hydraulics then solve one part of each group of
//! identical ones and copy its flows, pressures and friction starts to the others.
//!
//! The grouping is checked at every hydraulic solve, not assumed: parts are grouped by their
//! structure once ([`Parts::new`]), and at each solve the members of a group whose coolant
//! properties (or fixed flows) differ, bit for bit, from their representative's are solved on
//! their own ([`Parts::group`]). A network with no repeated parts solves exactly as before.

use std::collections::HashMap;
use std::hash::Hasher;

use super::fluid::Props;
use super::model::{FxBuild, FxHasher, Kind, Model};
use super::sparse::Symbolic;

/// No unknown / no pair.
pub(super) const NONE: usize = usize::MAX;

/// The hydraulically separate parts of a network (connected through any edge, flow sources
/// included) and the groups of structurally identical ones.
pub(super) struct Parts {
    /// Part of each node.
    pub node_part: Vec<usize>,
    /// Edges of each part in ascending order (CSR over parts).
    pub edge_ptr: Vec<usize>,
    pub edges: Vec<usize>,
    /// Nodes of each part in order of first appearance along its edges (CSR over parts): the
    /// same position in two identical parts is the same node of the pattern.
    pub node_ptr: Vec<usize>,
    pub nodes: Vec<usize>,
    /// Groups of two or more structurally identical parts, each as its parts in ascending
    /// order (the first is the natural representative).
    pub classes: Vec<Vec<usize>>,
    /// Positions of the flow sources among each class's part edges (the same in every member):
    /// [`Parts::group`] compares their flows without reading the edge records.
    pub class_fixed: Vec<Vec<usize>>,
}

impl Parts {
    /// Splits the network into parts and groups identical ones. `unknown[i] == NONE` marks
    /// the reference nodes, whose pressure `p_ref[i]` is part of a part's identity.
    /// `ends`: each edge's end nodes, as columns (walking the edge records instead costs a
    /// hall a pass over 135 MB each time).
    pub fn new(m: &Model, ends: (&[usize], &[usize]), unknown: &[usize], p_ref: &[f64]) -> Self {
        let (ea, eb) = ends;
        let n = m.node_names.len();
        let ne = m.edges.len();
        let mut part_of_root = vec![NONE; n];
        let mut node_part = vec![0; n];
        let mut n_parts = 0;
        for (i, np) in node_part.iter_mut().enumerate() {
            let r = m.hydraulic_root[i];
            if part_of_root[r] == NONE {
                part_of_root[r] = n_parts;
                n_parts += 1;
            }
            *np = part_of_root[r];
        }
        drop(part_of_root);
        let mut edge_ptr = vec![0; n_parts + 1];
        for &a in ea {
            edge_ptr[node_part[a] + 1] += 1;
        }
        for q in 0..n_parts {
            edge_ptr[q + 1] += edge_ptr[q];
        }
        let mut fill = edge_ptr.clone();
        let mut edges = vec![0; ne];
        for (k, &a) in ea.iter().enumerate() {
            let q = node_part[a];
            edges[fill[q]] = k;
            fill[q] += 1;
        }
        // Nodes in order of first appearance along each part's edges; a part without edges is
        // its single node.
        let mut local = vec![NONE; n];
        let mut node_ptr = vec![0; n_parts + 1];
        let mut nodes = Vec::with_capacity(n);
        let mut lone = vec![NONE; n_parts];
        for (i, &q) in node_part.iter().enumerate() {
            if edge_ptr[q] == edge_ptr[q + 1] {
                lone[q] = i;
            }
        }
        for q in 0..n_parts {
            let mut count = 0;
            for &k in &edges[edge_ptr[q]..edge_ptr[q + 1]] {
                for i in [ea[k], eb[k]] {
                    if local[i] == NONE {
                        local[i] = count;
                        count += 1;
                        nodes.push(i);
                    }
                }
            }
            if lone[q] != NONE {
                local[lone[q]] = 0;
                nodes.push(lone[q]);
            }
            node_ptr[q + 1] = nodes.len();
        }
        // A CDU's component names its own facility edge, so no two CDUs share one; their
        // hydraulics are their pressure-drop table (or none), compared by value.
        let mut tables: HashMap<String, u64, FxBuild> = HashMap::default();
        let mut cdu_key: HashMap<u32, u64, FxBuild> = HashMap::default();
        for e in &m.edges {
            if let Kind::Cdu { dp, .. } = &e.kind {
                cdu_key.entry(e.component).or_insert_with(|| {
                    let text = format!("{dp:?}");
                    let next = tables.len() as u64;
                    (1 << 63) | *tables.entry(text).or_insert(next)
                });
            }
        }
        // Structural identity: per edge its component (a CDU: its hydraulics), its ends as
        // local nodes, its elevation change and fixed flow; per node whether it is a reference
        // and at what pressure.
        let word = |k: usize| -> [u64; 5] {
            let e = &m.edges[k];
            let q = match e.kind {
                Kind::Fixed(q) => q.to_bits(),
                _ => 0,
            };
            let component = match e.kind {
                Kind::Cdu { .. } => cdu_key[&e.component],
                _ => u64::from(e.component),
            };
            [
                component,
                local[e.a] as u64,
                local[e.b] as u64,
                e.dz.to_bits(),
                q,
            ]
        };
        let node_word = |i: usize| -> u64 {
            if unknown[i] == NONE {
                p_ref[i].to_bits() ^ 0x9e37_79b9_7f4a_7c15
            } else {
                0
            }
        };
        // Each part's words are computed once, into `scratch`, and compared with those of its
        // group's first part, kept with the group.
        let mut by_hash: HashMap<u64, Vec<usize>, FxBuild> = HashMap::default();
        let mut classes: Vec<Vec<usize>> = Vec::new();
        let mut class_words: Vec<(Vec<[u64; 5]>, Vec<u64>)> = Vec::new();
        let mut scratch: (Vec<[u64; 5]>, Vec<u64>) = (Vec::new(), Vec::new());
        for q in 0..n_parts {
            let pe = &edges[edge_ptr[q]..edge_ptr[q + 1]];
            if pe.is_empty() {
                continue;
            }
            scratch.0.clear();
            scratch.0.extend(pe.iter().map(|&k| word(k)));
            scratch.1.clear();
            scratch.1.extend(
                nodes[node_ptr[q]..node_ptr[q + 1]]
                    .iter()
                    .map(|&i| node_word(i)),
            );
            let mut h = FxHasher::default();
            h.write_usize(pe.len());
            for w in &scratch.0 {
                for &x in w {
                    h.write_u64(x);
                }
            }
            for &x in &scratch.1 {
                h.write_u64(x);
            }
            let bucket = by_hash.entry(h.finish()).or_default();
            match bucket.iter().find(|&&c| class_words[c] == scratch) {
                Some(&c) => classes[c].push(q),
                None => {
                    bucket.push(classes.len());
                    classes.push(vec![q]);
                    class_words.push(scratch.clone());
                }
            }
        }
        classes.retain(|c| c.len() > 1);
        let class_fixed = classes
            .iter()
            .map(|c| {
                let q = c[0];
                edges[edge_ptr[q]..edge_ptr[q + 1]]
                    .iter()
                    .enumerate()
                    .filter(|&(_, &k)| matches!(m.edges[k].kind, Kind::Fixed(_)))
                    .map(|(j, _)| j)
                    .collect()
            })
            .collect();
        Self {
            node_part,
            edge_ptr,
            edges,
            node_ptr,
            nodes,
            classes,
            class_fixed,
        }
    }

    /// Number of parts.
    pub fn len(&self) -> usize {
        self.edge_ptr.len() - 1
    }

    /// Edges of part `q`.
    pub fn edges_of(&self, q: usize) -> &[usize] {
        &self.edges[self.edge_ptr[q]..self.edge_ptr[q + 1]]
    }

    /// Nodes of part `q`.
    pub fn nodes_of(&self, q: usize) -> &[usize] {
        &self.nodes[self.node_ptr[q]..self.node_ptr[q + 1]]
    }

    /// The representative of each part when every member of a group is taken to carry the
    /// same coolant (the grouping before any temperatures are known).
    pub fn structural(&self) -> Vec<usize> {
        let mut rep: Vec<usize> = (0..self.len()).collect();
        for c in &self.classes {
            for &q in &c[1..] {
                rep[q] = c[0];
            }
        }
        rep
    }

    /// The representative of each part at coolant properties `props` and mass flows `mf`
    /// (only the flow sources' entries are read): a member of a group copies the first
    /// member whose properties and fixed flows equal its own bit for bit, or is solved itself.
    pub fn group(&self, props: &[Props], mf: &[f64]) -> Vec<usize> {
        let mut rep: Vec<usize> = (0..self.len()).collect();
        let bits = |k: usize| -> [u64; 3] {
            let pr = props[k];
            [pr.rho.to_bits(), pr.mu.to_bits(), pr.cp.to_bits()]
        };
        for (c, fixed) in self.classes.iter().zip(&self.class_fixed) {
            let same = |r: usize, q: usize| {
                let (er, eq) = (self.edges_of(r), self.edges_of(q));
                fixed
                    .iter()
                    .all(|&j| mf[er[j]].to_bits() == mf[eq[j]].to_bits())
                    && er.iter().zip(eq).all(|(&x, &y)| bits(x) == bits(y))
            };
            // usually every member equals the first: compare, and hash only the others
            let others: Vec<usize> = c[1..].iter().copied().filter(|&q| !same(c[0], q)).collect();
            for &q in &c[1..] {
                rep[q] = c[0];
            }
            let mut by_hash: HashMap<u64, Vec<usize>, FxBuild> = HashMap::default();
            for &q in &others {
                let eq = self.edges_of(q);
                let mut h = FxHasher::default();
                for &k in eq {
                    for w in bits(k) {
                        h.write_u64(w);
                    }
                }
                for &j in fixed {
                    h.write_u64(mf[eq[j]].to_bits());
                }
                let bucket = by_hash.entry(h.finish()).or_default();
                match bucket.iter().copied().find(|&r| same(r, q)) {
                    Some(r) => rep[q] = r,
                    None => {
                        rep[q] = q;
                        bucket.push(q);
                    }
                }
            }
        }
        rep
    }
}

/// The hydraulic system of the parts that are solved (each its own representative), in
/// compact numbering: solved edges and their nodes, the unknown pressures among those nodes,
/// the factorisation pattern, and the parts that copy a solved one.
pub(super) struct System {
    /// Representative of each part.
    pub rep: Vec<usize>,
    /// Solved edges, ascending.
    pub edges: Vec<usize>,
    /// Their end nodes in compact node numbering.
    pub a: Vec<usize>,
    pub b: Vec<usize>,
    /// Flow sources among them.
    pub fixed: Vec<bool>,
    /// Off-diagonal pair of each solved edge joining two unknowns (`NONE` otherwise).
    pub pair: Vec<usize>,
    pub n_pairs: usize,
    /// Node of each compact node.
    pub nodes: Vec<usize>,
    /// Unknown of each compact node (`NONE`: a reference node).
    pub unknown: Vec<usize>,
    /// Compact node of each unknown.
    pub unknown_node: Vec<usize>,
    pub sym: Symbolic,
    /// (part, its representative) for every part that copies another.
    pub followers: Vec<(usize, usize)>,
}

impl System {
    /// The system of the parts with `rep[q] == q`; `unknown[i] == NONE` marks reference nodes.
    /// `ends`: each edge's end nodes, as columns (only the solved edges' records are read).
    pub fn new(
        m: &Model,
        parts: &Parts,
        rep: Vec<usize>,
        unknown: &[usize],
        ends: (&[usize], &[usize]),
    ) -> Self {
        let (ea, eb) = ends;
        let n = m.node_names.len();
        let mut compact = vec![NONE; n];
        let mut nodes = Vec::new();
        let mut cu = Vec::new();
        let mut unknown_node = Vec::new();
        for i in 0..n {
            let q = parts.node_part[i];
            if rep[q] == q {
                compact[i] = nodes.len();
                if unknown[i] == NONE {
                    cu.push(NONE);
                } else {
                    cu.push(unknown_node.len());
                    unknown_node.push(nodes.len());
                }
                nodes.push(i);
            }
        }
        let mut edges = Vec::new();
        let (mut a, mut b, mut fixed, mut pair) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut pairs = Vec::new();
        for k in 0..ea.len() {
            let q = parts.node_part[ea[k]];
            if rep[q] != q {
                continue;
            }
            let (ca, cb) = (compact[ea[k]], compact[eb[k]]);
            let is_fixed = matches!(m.edges[k].kind, Kind::Fixed(_));
            edges.push(k);
            a.push(ca);
            b.push(cb);
            fixed.push(is_fixed);
            if !is_fixed && cu[ca] != NONE && cu[cb] != NONE {
                pair.push(pairs.len());
                pairs.push((cu[ca], cu[cb]));
            } else {
                pair.push(NONE);
            }
        }
        let sym = Symbolic::new(unknown_node.len(), &pairs);
        let followers = (0..parts.len())
            .filter(|&q| rep[q] != q)
            .map(|q| (q, rep[q]))
            .collect();
        Self {
            rep,
            edges,
            a,
            b,
            fixed,
            pair,
            n_pairs: pairs.len(),
            nodes,
            unknown: cu,
            unknown_node,
            sym,
            followers,
        }
    }

    /// Number of unknown pressures.
    pub fn n_unknown(&self) -> usize {
        self.unknown_node.len()
    }

    /// Copies each follower's flows `mf` and friction starts `guess` (per edge) and pressures
    /// `p` (per node) from its representative.
    pub fn copy_followers(&self, parts: &Parts, mf: &mut [f64], guess: &mut [f64], p: &mut [f64]) {
        for &(q, r) in &self.followers {
            for (&k, &kr) in parts.edges_of(q).iter().zip(parts.edges_of(r)) {
                mf[k] = mf[kr];
                guess[k] = guess[kr];
            }
            for (&i, &ir) in parts.nodes_of(q).iter().zip(parts.nodes_of(r)) {
                p[i] = p[ir];
            }
        }
    }
}
