# Import a role assignment by its id.
terraform import lowcode_role_assignment.ada_orders_editor ra_0193c1f2a4b87c3d9e0f112233445566

# Or by the grant it makes: user_id/role/scope_type/scope_id.
terraform import lowcode_role_assignment.ada_orders_editor usr_0193c1f2a4b87c3d9e0f112233445566/editor/application/app_0193c1f2a4b87c3d9e0f112233445566

# The platform scope has no id: user_id/role/platform.
terraform import lowcode_role_assignment.ada_platform_viewer usr_0193c1f2a4b87c3d9e0f112233445566/viewer/platform
