from ninja import Router

router = Router(tags=["Information exchange"])
