"""Pin-fin cold plate (placeholder until implemented)."""


def pinfin_coldplate(path, **kw):
    raise NotImplementedError
