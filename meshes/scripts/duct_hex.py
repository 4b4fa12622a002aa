"""meshes/duct_hex.msh: 50 x 2 x 1 mm rectangular duct, 100 x 20 x 10 hexahedra (flow validation)."""

from _common import run

if __name__ == "__main__":
    from rackflow.meshing import duct

    run(duct, "duct_hex", binary=True)
