from ninja import Router

router = Router(tags=["Reviews and documents"])
