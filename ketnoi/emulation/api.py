from ninja import Router

router = Router(tags=["Emulation and rewards"])
