# Every scan type against the default network's hosts: nmap's states and reasons.
scan -sS --reason -p 1-1024,3306,3389,5432,8080,9100 web db desktop
scan -sT --reason -p 1-1024,3306,5432,8080 web db
scan -sA --reason -p 20-30,80,443,3306,5432 web db
scan -sW --reason -p 20-30,80,443 web db
scan -sM --reason -p 20-30,80,443 web desktop
scan -sF --reason -p 20-30,80,443 web desktop
scan -sN --reason -p 20-30,80,443 web desktop
scan -sX --reason -p 20-30,80,443 web desktop
scan -sU --reason -p 53,123,137,161,514,1900 web db desktop
