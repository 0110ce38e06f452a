"""一件事一次办 (issue #18): 员工录用一件事 (劳动合同新订备案 + 增员) and 员工离职一件事 (解除(终止)备案 + 减员 + 解除(终止)证明书),
one form and one number each, built on the labour-contract and personnel-change services."""
