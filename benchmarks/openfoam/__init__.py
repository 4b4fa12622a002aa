"""OpenFOAM reference runs for the rackflow benchmarks."""
