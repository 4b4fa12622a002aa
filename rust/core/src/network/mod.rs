//! One-dimensional coolant networks (pipes, fittings, pumps, cold plates, CDUs).
