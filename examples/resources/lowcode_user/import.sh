# Import a user by their id.
terraform import lowcode_user.ada usr_0193c1f2a4b87c3d9e0f112233445566
