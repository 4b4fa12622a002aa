"""File formats. meshio stays behind this package so it can be swapped (e.g. for the Gmsh API)."""
