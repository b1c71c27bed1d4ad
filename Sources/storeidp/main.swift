import StoreIdPServer

await StoreIdPMain.run()
