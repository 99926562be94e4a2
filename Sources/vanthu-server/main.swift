print("vanthu-server")
