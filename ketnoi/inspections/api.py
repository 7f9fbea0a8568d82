from ninja import Router

router = Router(tags=["Inspection and supervision"])
