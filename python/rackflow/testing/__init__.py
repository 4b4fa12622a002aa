"""Helpers for testing rackflow and code built on it: meshes with known geometry, exact solutions."""
