import {
  to = lowcode_user.ada
  id = "usr_0193c1f2a4b87c3d9e0f112233445566"
}
