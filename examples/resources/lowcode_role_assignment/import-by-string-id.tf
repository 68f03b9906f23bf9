# By the role assignment's id.
import {
  to = lowcode_role_assignment.ada_orders_editor
  id = "ra_0193c1f2a4b87c3d9e0f112233445566"
}

# By the grant it makes: user_id/role/platform for the platform scope,
# user_id/role/scope_type/scope_id for the others.
import {
  to = lowcode_role_assignment.ada_platform_viewer
  id = "usr_0193c1f2a4b87c3d9e0f112233445566/viewer/platform"
}
