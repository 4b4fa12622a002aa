"""meshes/coldplate_pinfin.msh: staggered round pin-fin cold plate on an H100-like package."""

from _common import run

if __name__ == "__main__":
    from rackflow.meshing import pinfin_coldplate

    # Generator defaults: 40 x 40 mm plate, 12 x 10 staggered 1.5 mm pins at 3 mm pitch,
    # 2 mm fluid gap, 28.5 mm die under a 35 mm lid; ~125k tetrahedra.
    run(pinfin_coldplate, "coldplate_pinfin", binary=True)
