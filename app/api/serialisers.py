"""JSON shapes of the API, one function per resource."""


def user_json(user):
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "roles": user.roles,
        "areas": [area.code for area in user.areas],
        "organisation": user.organisation,
        "networks": [{"id": network.id, "name": network.name, "kind": network.kind} for network in user.networks],
    }


def area_json(area):
    return {"code": area.code, "name": area.name}
