"""Routes of the incident register and the test that proves their scoping (tests/incidents/test_incidents.py)."""

MATRIX = {
    "incidents/": "incidents test_incidents: a province lists only its own and its communes' incidents",
    "incidents/new/": "incidents test_incidents: registering for another province is refused",
    "incidents/<int:pk>/": "incidents test_incidents: another province's incident is 404",
    "incidents/<int:pk>/action/": "incidents test_incidents: another province's incident is 404",
    "api/v1/incidents": "incidents test_incidents: api list scoped / create refused",
    "api/v1/incidents/stats": "incidents test_incidents: api stats over the user's incidents only",
    "api/v1/incidents/<int:pk>": "incidents test_incidents: api 404 for another province",
}
