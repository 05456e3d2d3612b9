from esctui.cli import main

main()
