# Reference values for tests/core/TestStatistics.cpp, from R (Debian's r-base-core 4.2.2): run with
#   Rscript tests/data/stats/reference.R
# and compare with the values written in the test. Wilson: prop.test(correct = FALSE)$conf.int (R's prop.test is
# the Wilson score interval without continuity correction); Clopper-Pearson: binom.test()$conf.int; McNemar's exact
# test: binom.test on the discordant pairs; Newcombe's paired interval (method 10, Newcombe 1998, Stat Med 17:2635)
# written out below from the paper's formula, on R's Wilson intervals.
options(warn = -1)
for (x in list(c(0, 1), c(1, 1), c(0, 5), c(3, 5), c(5, 5), c(1, 20), c(10, 20), c(20, 20), c(500, 1000),
               c(1, 1000), c(999, 1000))) {
  cp <- binom.test(x[1], x[2])$conf.int
  w <- prop.test(x[1], x[2], correct = FALSE)$conf.int
  cat(sprintf("%d/%d  Wilson [%.10f, %.10f]  Clopper-Pearson [%.10f, %.10f]\n", x[1], x[2], w[1], w[2], cp[1], cp[2]))
}
for (bc in list(c(150, 86), c(5, 0), c(10, 2), c(3, 3), c(0, 1)))
  cat(sprintf("McNemar exact b=%d c=%d  p = %.12g\n", bc[1], bc[2], binom.test(min(bc), sum(bc))$p.value))
newcombe <- function(a, b, c, d, level = 0.95) {
  n <- a + b + c + d; p1 <- (a + b) / n; p2 <- (a + c) / n
  c1 <- prop.test(a + b, n, correct = FALSE, conf.level = level)$conf.int
  c2 <- prop.test(a + c, n, correct = FALSE, conf.level = level)$conf.int
  A <- (a + b) * (c + d) * (a + c) * (b + d); B <- a * d - b * c; C <- 0
  if (B > n / 2) C <- B - n / 2
  if (B < 0) C <- B
  phi <- if (A > 0) C / sqrt(A) else 0
  D <- p1 - p2
  c(D, D - sqrt((p1 - c1[1])^2 - 2 * phi * (p1 - c1[1]) * (c2[2] - p2) + (c2[2] - p2)^2),
    D + sqrt((p2 - c2[1])^2 - 2 * phi * (p2 - c2[1]) * (c1[2] - p1) + (c1[2] - p1)^2))
}
for (t in list(c(14, 5, 0, 22), c(794, 150, 86, 570)))
  cat(sprintf("Newcombe a=%d b=%d c=%d d=%d  first - second %.10f [%.10f, %.10f]\n", t[1], t[2], t[3], t[4],
              newcombe(t[1], t[2], t[3], t[4])[1], newcombe(t[1], t[2], t[3], t[4])[2],
              newcombe(t[1], t[2], t[3], t[4])[3]))
