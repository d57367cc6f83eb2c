"""Give Superset's Public role read access to every dataset, so the local dashboards open without a
login (CHIPCHAIN_BI_PUBLIC=1, the default). The data behind them is reached through PostgreSQL's
read-only role whatever Superset allows."""

from superset.app import create_app

app = create_app()
with app.app_context():
    from superset import security_manager
    from superset.extensions import db

    role = security_manager.find_role("Public")
    access = security_manager.find_permission_view_menu("all_datasource_access", "all_datasource_access")
    if role is not None and access is not None and access not in role.permissions:
        security_manager.add_permission_role(role, access)
        db.session.commit()
    print(f"Public role: {len(role.permissions) if role else 0} permissions")
