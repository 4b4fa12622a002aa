"""meshes/gpu_stack.msh: H100-like package stack (die, TIM, lid, solid Cu base), conduction demo."""

from _common import run

if __name__ == "__main__":
    from rackflow.meshing import gpu_stack

    # Generator defaults: 28.5 mm die (814 mm^2), 0.1 mm TIM, 45 mm lid, 60 x 60 x 4 mm base.
    run(gpu_stack, "gpu_stack")
