from kdir.cli import main

main()
