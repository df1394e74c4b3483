;; The CPU backend's hot loops, hand-written in WebAssembly SIMD (f32x4).
;;
;; Why WAT by hand: matmul and convolution are 95% of a CNN's time, and scalar JS stops near
;; 2-3 GFLOP/s a core. A register-blocked microkernel needs control over which values live in
;; registers, which only wasm gives us in a browser-portable way.
;;
;; Shape of the code (the classic Goto/BLIS structure):
;;   $gemm      blocks C = op(A)·op(B) over K (KC), M (MC) and N (NC), packs the blocks into
;;              contiguous panels, and walks them with
;;   $kernel    a 4x8 microkernel: 8 f32x4 accumulators held in registers over the whole K block.
;;   $im2col / $col2im   turn a convolution into a gemm and back.
;;   $map / $zip / $rowsum / $maxpool / $maxpool_back / $adam
;;              the memory-bound passes of training (activations, their gradients, bias sums,
;;              pooling, the optimiser): in JS each costs 3-8 ns an element, here ~0.3-1.
;;   run        an interpreter of "programs": arrays of 16-int commands written by threads.ts, so
;;              the main thread and the worker execute the same code on different parts.
;;
;; Memory is imported and shared (the worker instantiates this same module on it).
;; Pointers are byte addresses; strides given to exports are in elements (floats).
;; No FMA: relaxed-SIMD is not enabled in Node 20, so each step is f32x4.mul + f32x4.add.
(module
  (import "env" "memory" (memory 1 32768 shared))

  ;; Block sizes. A: MC x KC floats (128 KiB, stays in L2); B: KC x NC (1 MiB, L2/L3);
  ;; one B micro-panel (KC x 8 = 8 KiB) stays in L1 while the A panels stream past it.
  (global $MC i32 (i32.const 128))
  (global $KC i32 (i32.const 256))
  (global $NC i32 (i32.const 1024))
  ;; Floats of private scratch one $gemm call needs: MC*KC (packed A) + KC*NC (packed B) + 32 (edge tile).
  (global (export "gemmScratchFloats") i32 (i32.const 294944))

  ;; Pack rows [0,mc) x cols [0,kc) of a strided matrix into panels of 4 rows:
  ;; dst[panel][p][r] (4 floats per p), rows past mc padded with zeros. rs/cs in bytes.
  ;; Full panels of a row-major matrix go four k at a time, as 4x4 transposes in registers.
  (func $pack_a (param $a i32) (param $rs i32) (param $cs i32) (param $mc i32) (param $kc i32) (param $dst i32)
    (local $i i32) (local $r i32) (local $p i32) (local $src i32) (local $d i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $t0 v128) (local $t1 v128)
    (loop $panels
      (if (i32.and (i32.eq (local.get $cs) (i32.const 4))
                   (i32.le_u (i32.add (local.get $i) (i32.const 4)) (local.get $mc)))
        (then
          (local.set $src (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $rs))))
          (local.set $d (local.get $dst))
          (local.set $p (i32.const 0))
          (block $tail
            (loop $quad
              (br_if $tail (i32.gt_u (i32.add (local.get $p) (i32.const 4)) (local.get $kc)))
              (local.set $r0 (v128.load (local.get $src)))
              (local.set $r1 (v128.load (i32.add (local.get $src) (local.get $rs))))
              (local.set $r2 (v128.load (i32.add (local.get $src) (i32.shl (local.get $rs) (i32.const 1)))))
              (local.set $r3 (v128.load (i32.add (local.get $src) (i32.mul (local.get $rs) (i32.const 3)))))
              ;; t0 = [r0.0 r1.0 r0.1 r1.1], t1 = [r2.0 r3.0 r2.1 r3.1]: their halves are k = 0 and 1
              (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
              (local.set $t1 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
              (v128.store (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1)))
              (v128.store offset=16 (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1)))
              ;; the same with the upper halves, k = 2 and 3
              (local.set $t0 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
              (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
              (v128.store offset=32 (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1)))
              (v128.store offset=48 (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1)))
              (local.set $src (i32.add (local.get $src) (i32.const 16)))
              (local.set $d (i32.add (local.get $d) (i32.const 64)))
              (local.set $p (i32.add (local.get $p) (i32.const 4)))
              (br $quad)))
          (if (i32.lt_u (local.get $p) (local.get $kc)) (then
            (loop $k
              (local.set $r (i32.const 0))
              (loop $rows
                (f32.store (i32.add (local.get $d) (i32.shl (local.get $r) (i32.const 2)))
                  (f32.load (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $rs)))))
                (br_if $rows (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (i32.const 4))))
              (local.set $src (i32.add (local.get $src) (i32.const 4)))
              (local.set $d (i32.add (local.get $d) (i32.const 16)))
              (br_if $k (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $kc)))))))
        (else
          (local.set $r (i32.const 0))
          (loop $rows
            (local.set $d (i32.add (local.get $dst) (i32.shl (local.get $r) (i32.const 2))))
            (if (i32.lt_u (i32.add (local.get $i) (local.get $r)) (local.get $mc))
              (then
                (local.set $src (i32.add (local.get $a) (i32.mul (i32.add (local.get $i) (local.get $r)) (local.get $rs))))
                (local.set $p (local.get $kc))
                (loop $k
                  (f32.store (local.get $d) (f32.load (local.get $src)))
                  (local.set $src (i32.add (local.get $src) (local.get $cs)))
                  (local.set $d (i32.add (local.get $d) (i32.const 16)))
                  (br_if $k (local.tee $p (i32.sub (local.get $p) (i32.const 1))))))
              (else
                (local.set $p (local.get $kc))
                (loop $k
                  (f32.store (local.get $d) (f32.const 0))
                  (local.set $d (i32.add (local.get $d) (i32.const 16)))
                  (br_if $k (local.tee $p (i32.sub (local.get $p) (i32.const 1)))))))
            (br_if $rows (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (i32.const 4))))))
      (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $kc) (i32.const 4))))
      (br_if $panels (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $mc)))))

  ;; Four vectors at s, s+cs, s+2cs, s+3cs (bytes) as the rows of a 4x4 block; its columns are
  ;; stored at d, d+pitch, d+2pitch, d+3pitch.
  (func $transpose4 (param $s i32) (param $cs i32) (param $d i32) (param $pitch i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $t0 v128) (local $t1 v128)
    (local.set $r0 (v128.load (local.get $s)))
    (local.set $r1 (v128.load (i32.add (local.get $s) (local.get $cs))))
    (local.set $r2 (v128.load (i32.add (local.get $s) (i32.shl (local.get $cs) (i32.const 1)))))
    (local.set $r3 (v128.load (i32.add (local.get $s) (i32.mul (local.get $cs) (i32.const 3)))))
    (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
    (local.set $t1 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
    (v128.store (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1)))
    (local.set $d (i32.add (local.get $d) (local.get $pitch)))
    (v128.store (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1)))
    (local.set $d (i32.add (local.get $d) (local.get $pitch)))
    (local.set $t0 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
    (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
    (v128.store (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1)))
    (local.set $d (i32.add (local.get $d) (local.get $pitch)))
    (v128.store (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1))))

  ;; Pack rows [0,kc) x cols [0,nc) into panels of 8 columns: dst[panel][p][c] (8 floats per p),
  ;; columns past nc padded with zeros. Full panels of a row-major matrix copy two vectors a row;
  ;; full panels of a column-major one (a transposed operand) go through 4x4 transposes.
  (func $pack_b (param $b i32) (param $rs i32) (param $cs i32) (param $kc i32) (param $nc i32) (param $dst i32)
    (local $j i32) (local $c i32) (local $p i32) (local $src i32) (local $d i32)
    (loop $panels
      (if (i32.and (i32.eq (local.get $cs) (i32.const 4))
                   (i32.le_u (i32.add (local.get $j) (i32.const 8)) (local.get $nc)))
        (then
          (local.set $src (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
          (local.set $d (local.get $dst))
          (local.set $p (local.get $kc))
          (loop $k
            (v128.store (local.get $d) (v128.load (local.get $src)))
            (v128.store offset=16 (local.get $d) (v128.load offset=16 (local.get $src)))
            (local.set $src (i32.add (local.get $src) (local.get $rs)))
            (local.set $d (i32.add (local.get $d) (i32.const 32)))
            (br_if $k (local.tee $p (i32.sub (local.get $p) (i32.const 1))))))
        (else (if (i32.and (i32.eq (local.get $rs) (i32.const 4))
                           (i32.le_u (i32.add (local.get $j) (i32.const 8)) (local.get $nc)))
        (then
          ;; A transposed operand (k contiguous in each column): four k of eight columns a step,
          ;; as two 4x4 transposes in registers.
          (local.set $src (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $cs))))
          (local.set $d (local.get $dst))
          (local.set $p (i32.const 0))
          (block $tail
            (loop $quad
              (br_if $tail (i32.gt_u (i32.add (local.get $p) (i32.const 4)) (local.get $kc)))
              (call $transpose4 (local.get $src) (local.get $cs) (local.get $d) (i32.const 32))
              (call $transpose4 (i32.add (local.get $src) (i32.shl (local.get $cs) (i32.const 2))) (local.get $cs)
                                (i32.add (local.get $d) (i32.const 16)) (i32.const 32))
              (local.set $src (i32.add (local.get $src) (i32.const 16)))
              (local.set $d (i32.add (local.get $d) (i32.const 128)))
              (local.set $p (i32.add (local.get $p) (i32.const 4)))
              (br $quad)))
          (if (i32.lt_u (local.get $p) (local.get $kc)) (then
            (loop $k
              (local.set $c (i32.const 0))
              (loop $tcols
                (f32.store (i32.add (local.get $d) (i32.shl (local.get $c) (i32.const 2)))
                  (f32.load (i32.add (local.get $src) (i32.mul (local.get $c) (local.get $cs)))))
                (br_if $tcols (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 1))) (i32.const 8))))
              (local.set $src (i32.add (local.get $src) (i32.const 4)))
              (local.set $d (i32.add (local.get $d) (i32.const 32)))
              (br_if $k (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $kc)))))))
        (else
          (local.set $c (i32.const 0))
          (loop $cols
            (local.set $d (i32.add (local.get $dst) (i32.shl (local.get $c) (i32.const 2))))
            (local.set $p (local.get $kc))
            (if (i32.lt_u (i32.add (local.get $j) (local.get $c)) (local.get $nc))
              (then
                (local.set $src (i32.add (local.get $b) (i32.mul (i32.add (local.get $j) (local.get $c)) (local.get $cs))))
                (loop $k
                  (f32.store (local.get $d) (f32.load (local.get $src)))
                  (local.set $src (i32.add (local.get $src) (local.get $rs)))
                  (local.set $d (i32.add (local.get $d) (i32.const 32)))
                  (br_if $k (local.tee $p (i32.sub (local.get $p) (i32.const 1))))))
              (else
                (loop $k
                  (f32.store (local.get $d) (f32.const 0))
                  (local.set $d (i32.add (local.get $d) (i32.const 32)))
                  (br_if $k (local.tee $p (i32.sub (local.get $p) (i32.const 1)))))))
            (br_if $cols (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 1))) (i32.const 8))))))))
      (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $kc) (i32.const 5))))
      (br_if $panels (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 8))) (local.get $nc)))))

  ;; The microkernel: a 4x8 tile of C from a packed A panel (4 floats per k) and a packed
  ;; B panel (8 floats per k), kc >= 1. add = 0 stores the tile, add = 1 adds it to C.
  (func $kernel (param $kc i32) (param $pa i32) (param $pb i32) (param $pc i32) (param $ldc i32) (param $add i32)
    (local $b0 v128) (local $b1 v128) (local $a v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (loop $k
      (local.set $b0 (v128.load (local.get $pb)))
      (local.set $b1 (v128.load offset=16 (local.get $pb)))
      (local.set $a (v128.load32_splat (local.get $pa)))
      (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a) (local.get $b0))))
      (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a) (local.get $b1))))
      (local.set $a (v128.load32_splat offset=4 (local.get $pa)))
      (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a) (local.get $b0))))
      (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a) (local.get $b1))))
      (local.set $a (v128.load32_splat offset=8 (local.get $pa)))
      (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $a) (local.get $b0))))
      (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $a) (local.get $b1))))
      (local.set $a (v128.load32_splat offset=12 (local.get $pa)))
      (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $a) (local.get $b0))))
      (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $a) (local.get $b1))))
      (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
      (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
      (br_if $k (local.tee $kc (i32.sub (local.get $kc) (i32.const 1)))))
    (if (local.get $add)
      (then
        (local.set $c00 (f32x4.add (local.get $c00) (v128.load (local.get $pc))))
        (local.set $c01 (f32x4.add (local.get $c01) (v128.load offset=16 (local.get $pc))))
        (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
        (local.set $c10 (f32x4.add (local.get $c10) (v128.load (local.get $pc))))
        (local.set $c11 (f32x4.add (local.get $c11) (v128.load offset=16 (local.get $pc))))
        (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
        (local.set $c20 (f32x4.add (local.get $c20) (v128.load (local.get $pc))))
        (local.set $c21 (f32x4.add (local.get $c21) (v128.load offset=16 (local.get $pc))))
        (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
        (local.set $c30 (f32x4.add (local.get $c30) (v128.load (local.get $pc))))
        (local.set $c31 (f32x4.add (local.get $c31) (v128.load offset=16 (local.get $pc))))
        (local.set $pc (i32.sub (local.get $pc) (i32.mul (local.get $ldc) (i32.const 3))))))
    (v128.store (local.get $pc) (local.get $c00))
    (v128.store offset=16 (local.get $pc) (local.get $c01))
    (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
    (v128.store (local.get $pc) (local.get $c10))
    (v128.store offset=16 (local.get $pc) (local.get $c11))
    (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
    (v128.store (local.get $pc) (local.get $c20))
    (v128.store offset=16 (local.get $pc) (local.get $c21))
    (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
    (v128.store (local.get $pc) (local.get $c30))
    (v128.store offset=16 (local.get $pc) (local.get $c31)))

  ;; Copy the valid mr x nr corner of a 4x8 tile (row pitch 32 bytes) into C, storing or adding.
  (func $edge (param $tile i32) (param $pc i32) (param $ldc i32) (param $mr i32) (param $nr i32) (param $add i32)
    (local $r i32) (local $c i32) (local $s i32) (local $d i32)
    (loop $rows
      (local.set $c (i32.const 0))
      (loop $cols
        (local.set $s (i32.add (local.get $tile) (i32.shl (i32.add (i32.shl (local.get $r) (i32.const 3)) (local.get $c)) (i32.const 2))))
        (local.set $d (i32.add (i32.add (local.get $pc) (i32.mul (local.get $r) (local.get $ldc))) (i32.shl (local.get $c) (i32.const 2))))
        (f32.store (local.get $d)
          (f32.add (f32.load (local.get $s))
                   (select (f32.load (local.get $d)) (f32.const 0) (local.get $add))))
        (br_if $cols (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 1))) (local.get $nr))))
      (br_if $rows (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $mr)))))

  ;; C[m,n] (row pitch ldc elements) = or += A·B, where A(i,p) = a[i*rsA + p*csA] and
  ;; B(p,j) = b[p*rsB + j*csB] (strides in elements, so transposes are just strides).
  ;; scratch: MC*KC + KC*NC + 32 floats, private to the calling thread. m, n, k >= 1.
  (func $gemm (param $m i32) (param $n i32) (param $k i32)
              (param $a i32) (param $rsA i32) (param $csA i32)
              (param $b i32) (param $rsB i32) (param $csB i32)
              (param $c i32) (param $ldc i32) (param $acc i32) (param $scratch i32)
    (local $ap i32) (local $bp i32) (local $tile i32)
    (local $jc i32) (local $nc i32) (local $pc i32) (local $kc i32) (local $ic i32) (local $mc i32)
    (local $jr i32) (local $ir i32) (local $add i32) (local $cp i32)
    (local.set $rsA (i32.shl (local.get $rsA) (i32.const 2)))
    (local.set $csA (i32.shl (local.get $csA) (i32.const 2)))
    (local.set $rsB (i32.shl (local.get $rsB) (i32.const 2)))
    (local.set $csB (i32.shl (local.get $csB) (i32.const 2)))
    (local.set $ldc (i32.shl (local.get $ldc) (i32.const 2)))
    (local.set $ap (local.get $scratch))
    (local.set $bp (i32.add (local.get $ap) (i32.mul (i32.mul (global.get $MC) (global.get $KC)) (i32.const 4))))
    (local.set $tile (i32.add (local.get $bp) (i32.mul (i32.mul (global.get $KC) (global.get $NC)) (i32.const 4))))
    (loop $jloop
      (local.set $nc (select (global.get $NC) (i32.sub (local.get $n) (local.get $jc))
                             (i32.lt_u (global.get $NC) (i32.sub (local.get $n) (local.get $jc)))))
      (local.set $pc (i32.const 0))
      (loop $ploop
        (local.set $kc (select (global.get $KC) (i32.sub (local.get $k) (local.get $pc))
                               (i32.lt_u (global.get $KC) (i32.sub (local.get $k) (local.get $pc)))))
        (local.set $add (i32.or (local.get $acc) (i32.ne (local.get $pc) (i32.const 0))))
        (call $pack_b (i32.add (local.get $b) (i32.add (i32.mul (local.get $pc) (local.get $rsB)) (i32.mul (local.get $jc) (local.get $csB))))
                      (local.get $rsB) (local.get $csB) (local.get $kc) (local.get $nc) (local.get $bp))
        (local.set $ic (i32.const 0))
        (loop $iloop
          (local.set $mc (select (global.get $MC) (i32.sub (local.get $m) (local.get $ic))
                                 (i32.lt_u (global.get $MC) (i32.sub (local.get $m) (local.get $ic)))))
          (call $pack_a (i32.add (local.get $a) (i32.add (i32.mul (local.get $ic) (local.get $rsA)) (i32.mul (local.get $pc) (local.get $csA))))
                        (local.get $rsA) (local.get $csA) (local.get $mc) (local.get $kc) (local.get $ap))
          (local.set $jr (i32.const 0))
          (loop $jrloop
            (local.set $ir (i32.const 0))
            (loop $irloop
              (local.set $cp (i32.add (local.get $c)
                (i32.add (i32.mul (i32.add (local.get $ic) (local.get $ir)) (local.get $ldc))
                         (i32.shl (i32.add (local.get $jc) (local.get $jr)) (i32.const 2)))))
              (if (i32.and (i32.le_u (i32.add (local.get $ir) (i32.const 4)) (local.get $mc))
                           (i32.le_u (i32.add (local.get $jr) (i32.const 8)) (local.get $nc)))
                (then
                  (call $kernel (local.get $kc)
                    (i32.add (local.get $ap) (i32.shl (i32.mul (local.get $ir) (local.get $kc)) (i32.const 2)))
                    (i32.add (local.get $bp) (i32.shl (i32.mul (local.get $jr) (local.get $kc)) (i32.const 2)))
                    (local.get $cp) (local.get $ldc) (local.get $add)))
                (else
                  (call $kernel (local.get $kc)
                    (i32.add (local.get $ap) (i32.shl (i32.mul (local.get $ir) (local.get $kc)) (i32.const 2)))
                    (i32.add (local.get $bp) (i32.shl (i32.mul (local.get $jr) (local.get $kc)) (i32.const 2)))
                    (local.get $tile) (i32.const 32) (i32.const 0))
                  (call $edge (local.get $tile) (local.get $cp) (local.get $ldc)
                    (select (i32.const 4) (i32.sub (local.get $mc) (local.get $ir)) (i32.lt_u (i32.const 4) (i32.sub (local.get $mc) (local.get $ir))))
                    (select (i32.const 8) (i32.sub (local.get $nc) (local.get $jr)) (i32.lt_u (i32.const 8) (i32.sub (local.get $nc) (local.get $jr))))
                    (local.get $add))))
              (br_if $irloop (i32.lt_u (local.tee $ir (i32.add (local.get $ir) (i32.const 4))) (local.get $mc))))
            (br_if $jrloop (i32.lt_u (local.tee $jr (i32.add (local.get $jr) (i32.const 8))) (local.get $nc))))
          (br_if $iloop (i32.lt_u (local.tee $ic (i32.add (local.get $ic) (global.get $MC))) (local.get $m))))
        (br_if $ploop (i32.lt_u (local.tee $pc (i32.add (local.get $pc) (global.get $KC))) (local.get $k))))
      (br_if $jloop (i32.lt_u (local.tee $jc (i32.add (local.get $jc) (global.get $NC))) (local.get $n)))))

  ;; The output columns ow whose input column iw = ow*s + off lies in [0, w): [lo, hi),
  ;; returned as lo | hi << 16 (sizes are far below 65536).
  (func $valid_range (param $off i32) (param $s i32) (param $w i32) (param $ow i32) (result i32)
    (local $lo i32) (local $hi i32)
    (if (i32.lt_s (local.get $off) (i32.const 0))
      (then (local.set $lo (i32.div_u (i32.add (i32.sub (i32.const 0) (local.get $off)) (i32.sub (local.get $s) (i32.const 1))) (local.get $s)))))
    (if (i32.ge_s (i32.sub (i32.sub (local.get $w) (i32.const 1)) (local.get $off)) (i32.const 0))
      (then (local.set $hi (i32.add (i32.div_u (i32.sub (i32.sub (local.get $w) (i32.const 1)) (local.get $off)) (local.get $s)) (i32.const 1)))))
    (if (i32.gt_u (local.get $hi) (local.get $ow)) (then (local.set $hi (local.get $ow))))
    (if (i32.gt_u (local.get $lo) (local.get $hi)) (then (local.set $lo (local.get $hi))))
    (i32.or (local.get $lo) (i32.shl (local.get $hi) (i32.const 16))))

  ;; Zero the floats in [p, end). Rows of a convolution are short (often 10-30 floats), too short
  ;; for memory.fill / memory.copy, whose per-call cost then dominates; plain loops win.
  (func $zero (param $p i32) (param $end i32)
    (if (i32.lt_u (local.get $p) (local.get $end)) (then
      (loop $z
        (f32.store (local.get $p) (f32.const 0))
        (br_if $z (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 4))) (local.get $end)))))))

  ;; One row segment of a patch: col[s..e) = x[src], x[src + sw4], ... (add = 0), or the x
  ;; elements += col (add = 1). With unit stride (the common case) four floats a step.
  (func $run (param $s i32) (param $e i32) (param $src i32) (param $sw4 i32) (param $add i32)
    (if (i32.eq (local.get $sw4) (i32.const 4))
      (then
        (block $done
          (loop $vec
            (br_if $done (i32.gt_u (i32.add (local.get $s) (i32.const 16)) (local.get $e)))
            (if (local.get $add)
              (then (v128.store (local.get $src) (f32x4.add (v128.load (local.get $src)) (v128.load (local.get $s)))))
              (else (v128.store (local.get $s) (v128.load (local.get $src)))))
            (local.set $s (i32.add (local.get $s) (i32.const 16)))
            (local.set $src (i32.add (local.get $src) (i32.const 16)))
            (br $vec)))))
    (if (i32.lt_u (local.get $s) (local.get $e)) (then
      (loop $one
        (if (local.get $add)
          (then (f32.store (local.get $src) (f32.add (f32.load (local.get $src)) (f32.load (local.get $s)))))
          (else (f32.store (local.get $s) (f32.load (local.get $src)))))
        (local.set $src (i32.add (local.get $src) (local.get $sw4)))
        (br_if $one (i32.lt_u (local.tee $s (i32.add (local.get $s) (i32.const 4))) (local.get $e)))))))

  ;; One convolution geometry walk shared by im2col (add = 0) and col2im (add = 1).
  ;; col[(c*kh + i)*kw + j][oh*OW + ow] <-> x[c][oh*sh - ph + i*dh][ow*sw - pw + j*dw] (col rows
  ;; pitch floats apart: oh*ow for one image, N*oh*ow for an image's columns of a whole batch), where
  ;; im2col copies x into col (zeros where the window hangs over the padding) and col2im adds
  ;; col back into x (x must start zeroed; overlapping windows accumulate).
  (func $im2col (param $x i32) (param $ch i32) (param $h i32) (param $w i32)
                (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32)
                (param $ph i32) (param $pw i32) (param $dh i32) (param $dw i32)
                (param $oh i32) (param $ow i32) (param $col i32) (param $pitch i32) (param $add i32)
    (local $c i32) (local $i i32) (local $j i32) (local $y i32) (local $iy i32)
    (local $range i32) (local $lo i32) (local $hi i32) (local $off i32)
    (local $row i32) (local $src i32) (local $d i32) (local $s i32) (local $e i32)
    (local $sw4 i32)
    (local.set $sw4 (i32.shl (local.get $sw) (i32.const 2)))
    (loop $cl
      (local.set $i (i32.const 0))
      (loop $il
        (local.set $j (i32.const 0))
        (loop $jl
          (local.set $off (i32.sub (i32.mul (local.get $j) (local.get $dw)) (local.get $pw)))
          (local.set $range (call $valid_range (local.get $off) (local.get $sw) (local.get $w) (local.get $ow)))
          (local.set $lo (i32.and (local.get $range) (i32.const 0xffff)))
          (local.set $hi (i32.shr_u (local.get $range) (i32.const 16)))
          (local.set $y (i32.const 0))
          (loop $yl
            (local.set $iy (i32.add (i32.sub (i32.mul (local.get $y) (local.get $sh)) (local.get $ph)) (i32.mul (local.get $i) (local.get $dh))))
            (local.set $d (i32.add (local.get $col) (i32.shl (i32.mul (local.get $y) (local.get $ow)) (i32.const 2))))
            (if (i32.and (i32.ge_s (local.get $iy) (i32.const 0)) (i32.lt_s (local.get $iy) (local.get $h)))
              (then
                ;; src = &x[c][iy][lo*sw + off]
                (local.set $src (i32.add (local.get $x)
                  (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $c) (local.get $h)) (local.get $iy)) (local.get $w))
                                    (i32.add (i32.mul (local.get $lo) (local.get $sw)) (local.get $off))) (i32.const 2))))
                (local.set $s (i32.add (local.get $d) (i32.shl (local.get $lo) (i32.const 2))))
                (local.set $e (i32.add (local.get $d) (i32.shl (local.get $hi) (i32.const 2))))
                (if (i32.eqz (local.get $add))
                  (then
                    (call $zero (local.get $d) (local.get $s))
                    (call $zero (local.get $e) (i32.add (local.get $d) (i32.shl (local.get $ow) (i32.const 2))))))
                (call $run (local.get $s) (local.get $e) (local.get $src) (local.get $sw4) (local.get $add)))
              (else
                (if (i32.eqz (local.get $add))
                  (then (call $zero (local.get $d) (i32.add (local.get $d) (i32.shl (local.get $ow) (i32.const 2))))))))
            (br_if $yl (i32.lt_u (local.tee $y (i32.add (local.get $y) (i32.const 1))) (local.get $oh))))
          (local.set $col (i32.add (local.get $col) (i32.shl (local.get $pitch) (i32.const 2))))
          (br_if $jl (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $kw))))
        (br_if $il (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $kh))))
      (br_if $cl (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 1))) (local.get $ch)))))

  ;; ---- elementwise, pooling, optimiser ----------------------------------------------------
  ;; Every loop below takes four floats a step while four remain, then one float a step through
  ;; the same vector code (v128.load32_zero / v128.store32_lane), so each op is written once.

  ;; out[i] = f(x[i]) for i in [0, n), f by kind (MAP_KINDS in simd.ts):
  ;;   kinds: 0 relu, 1 step, 2 affine
  ;; relu is x > 0 ? x : 0 (as JS: NaN gives 0), step x > 0 ? 1 : 0, affine x*a + b. Any other kind traps.
  (func $map (param $kind i32) (param $x i32) (param $out i32) (param $n i32) (param $a f32) (param $b f32)
    (local $end i32) (local $st i32) (local $v v128) (local $va v128) (local $vb v128)
    (if (i32.gt_u (local.get $kind) (i32.const 2)) (then unreachable))
    (local.set $va (f32x4.splat (local.get $a)))
    (local.set $vb (f32x4.splat (local.get $b)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $st (select (i32.const 16) (i32.const 4) (i32.ge_u (i32.sub (local.get $end) (local.get $x)) (i32.const 16))))
      (if (i32.eq (local.get $st) (i32.const 16))
        (then (local.set $v (v128.load (local.get $x))))
        (else (local.set $v (v128.load32_zero (local.get $x)))))
      (if (i32.eqz (local.get $kind))
        (then (local.set $v (f32x4.pmax (v128.const f32x4 0 0 0 0) (local.get $v))))
        (else (if (i32.eq (local.get $kind) (i32.const 1))
          (then (local.set $v (v128.and (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0)) (v128.const f32x4 1 1 1 1))))
          (else (local.set $v (f32x4.add (f32x4.mul (local.get $v) (local.get $va)) (local.get $vb)))))))
      (if (i32.eq (local.get $st) (i32.const 16))
        (then (v128.store (local.get $out) (local.get $v)))
        (else (v128.store32_lane 0 (local.get $out) (local.get $v))))
      (local.set $x (i32.add (local.get $x) (local.get $st)))
      (local.set $out (i32.add (local.get $out) (local.get $st)))
      (br $l))))

  ;; out[i0][i1][i2] = a[..] op b[..] over a d0 x d1 x d2 box (out contiguous), where operand
  ;; element (i0,i1,i2) is at i0*s0 + i1*s1 + i2*s2 (element strides; s2 is 0 or 1: a 0 stride
  ;; broadcasts one value along the row). The op by kind (ZIP_KINDS in simd.ts); any other kind traps:
  ;;   kinds: 0 add, 1 sub, 2 mul, 3 div
  (func $zip (param $kind i32)
             (param $a i32) (param $sa0 i32) (param $sa1 i32) (param $sa2 i32)
             (param $b i32) (param $sb0 i32) (param $sb1 i32) (param $sb2 i32)
             (param $out i32) (param $d0 i32) (param $d1 i32) (param $d2 i32)
    (local $i0 i32) (local $i1 i32) (local $pa i32) (local $pb i32) (local $end i32) (local $st i32)
    (local $va v128) (local $vb v128) (local $sa v128) (local $sb v128) (local $v v128)
    (if (i32.gt_u (local.get $kind) (i32.const 3)) (then unreachable))
    (if (i32.eqz (i32.mul (i32.mul (local.get $d0) (local.get $d1)) (local.get $d2))) (then (return)))
    (loop $l0
      (local.set $i1 (i32.const 0))
      (loop $l1
        (local.set $pa (i32.add (local.get $a) (i32.shl (i32.add (i32.mul (local.get $i0) (local.get $sa0)) (i32.mul (local.get $i1) (local.get $sa1))) (i32.const 2))))
        (local.set $pb (i32.add (local.get $b) (i32.shl (i32.add (i32.mul (local.get $i0) (local.get $sb0)) (i32.mul (local.get $i1) (local.get $sb1))) (i32.const 2))))
        (local.set $sa (v128.load32_splat (local.get $pa)))
        (local.set $sb (v128.load32_splat (local.get $pb)))
        (local.set $end (i32.add (local.get $out) (i32.shl (local.get $d2) (i32.const 2))))
        (block $done (loop $l
          (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
          (local.set $st (select (i32.const 16) (i32.const 4) (i32.ge_u (i32.sub (local.get $end) (local.get $out)) (i32.const 16))))
          (local.set $va (local.get $sa))
          (if (local.get $sa2) (then
            (if (i32.eq (local.get $st) (i32.const 16))
              (then (local.set $va (v128.load (local.get $pa))))
              (else (local.set $va (v128.load32_zero (local.get $pa)))))
            (local.set $pa (i32.add (local.get $pa) (local.get $st)))))
          (local.set $vb (local.get $sb))
          (if (local.get $sb2) (then
            (if (i32.eq (local.get $st) (i32.const 16))
              (then (local.set $vb (v128.load (local.get $pb))))
              (else (local.set $vb (v128.load32_zero (local.get $pb)))))
            (local.set $pb (i32.add (local.get $pb) (local.get $st)))))
          (if (i32.eqz (local.get $kind))
            (then (local.set $v (f32x4.add (local.get $va) (local.get $vb))))
            (else (if (i32.eq (local.get $kind) (i32.const 1))
              (then (local.set $v (f32x4.sub (local.get $va) (local.get $vb))))
              (else (if (i32.eq (local.get $kind) (i32.const 2))
                (then (local.set $v (f32x4.mul (local.get $va) (local.get $vb))))
                (else (local.set $v (f32x4.div (local.get $va) (local.get $vb)))))))))
          (if (i32.eq (local.get $st) (i32.const 16))
            (then (v128.store (local.get $out) (local.get $v)))
            (else (v128.store32_lane 0 (local.get $out) (local.get $v))))
          (local.set $out (i32.add (local.get $out) (local.get $st)))
          (br $l)))
        (br_if $l1 (i32.lt_u (local.tee $i1 (i32.add (local.get $i1) (i32.const 1))) (local.get $d1))))
      (br_if $l0 (i32.lt_u (local.tee $i0 (i32.add (local.get $i0) (i32.const 1))) (local.get $d0)))))

  ;; out[r] = sum of x[r*len .. r*len + len) for r in [0, rows): four partial sums, then added.
  (func $rowsum (param $x i32) (param $rows i32) (param $len i32) (param $out i32)
    (local $end i32) (local $st i32) (local $acc v128)
    (if (i32.eqz (local.get $rows)) (then (return)))
    (loop $r
      (local.set $acc (v128.const f32x4 0 0 0 0))
      (local.set $end (i32.add (local.get $x) (i32.shl (local.get $len) (i32.const 2))))
      (block $done (loop $l
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $st (select (i32.const 16) (i32.const 4) (i32.ge_u (i32.sub (local.get $end) (local.get $x)) (i32.const 16))))
        (if (i32.eq (local.get $st) (i32.const 16))
          (then (local.set $acc (f32x4.add (local.get $acc) (v128.load (local.get $x)))))
          (else (local.set $acc (f32x4.add (local.get $acc) (v128.load32_zero (local.get $x))))))
        (local.set $x (i32.add (local.get $x) (local.get $st)))
        (br $l)))
      (f32.store (local.get $out)
        (f32.add (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
                 (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
      (local.set $out (i32.add (local.get $out) (i32.const 4)))
      (br_if $r (local.tee $rows (i32.sub (local.get $rows) (i32.const 1))))))

  ;; Max pooling without padding or dilation over `planes` planes of h x w: each output is the
  ;; max of its kh x kw window at (oy*sh, ox*sw); argmax (int32) is its index iy*w + ix within
  ;; the plane, the first of equal maxima (a strict > as in JS; a NaN never wins). Comparisons are
  ;; branchless (select): on real activations a branch mispredicts about half the time. The
  ;; common 2x2 window with stride 2 takes four outputs a step: the even and odd columns of two
  ;; rows, split apart with shuffles, then the same four compares lane by lane.
  (func $maxpool (param $x i32) (param $planes i32) (param $h i32) (param $w i32) (param $kh i32) (param $kw i32)
                 (param $sh i32) (param $sw i32) (param $oh i32) (param $ow i32) (param $out i32) (param $arg i32)
    (local $oy i32) (local $ox i32) (local $ky i32) (local $kx i32) (local $base i32) (local $row i32)
    (local $best i32) (local $bv f32) (local $v f32) (local $quad i32) (local $p i32)
    (local $a v128) (local $b v128) (local $e v128) (local $o v128) (local $m v128) (local $vv v128) (local $vi v128) (local $i0 v128)
    (if (i32.eqz (i32.mul (local.get $planes) (i32.mul (local.get $oh) (local.get $ow)))) (then (return)))
    (local.set $quad (i32.and (i32.and (i32.eq (local.get $kh) (i32.const 2)) (i32.eq (local.get $kw) (i32.const 2)))
                              (i32.and (i32.eq (local.get $sh) (i32.const 2)) (i32.eq (local.get $sw) (i32.const 2)))))
    (loop $plane
      (local.set $oy (i32.const 0))
      (loop $y
        (local.set $ox (i32.const 0))
        (loop $xl
          ;; base: the window's top-left index in the plane
          (local.set $base (i32.add (i32.mul (i32.mul (local.get $oy) (local.get $sh)) (local.get $w)) (i32.mul (local.get $ox) (local.get $sw))))
          (if (i32.and (local.get $quad) (i32.le_u (i32.add (local.get $ox) (i32.const 4)) (local.get $ow)))
            (then
              (local.set $p (i32.add (local.get $x) (i32.shl (local.get $base) (i32.const 2))))
              (local.set $i0 (i32x4.add (i32x4.splat (local.get $base)) (v128.const i32x4 0 2 4 6)))
              ;; top row: even columns are taps (0,0), odd (0,1)
              (local.set $a (v128.load (local.get $p)))
              (local.set $b (v128.load offset=16 (local.get $p)))
              (local.set $vv (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a) (local.get $b)))
              (local.set $vi (local.get $i0))
              (local.set $o (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a) (local.get $b)))
              (local.set $m (f32x4.gt (local.get $o) (local.get $vv)))
              (local.set $vv (v128.bitselect (local.get $o) (local.get $vv) (local.get $m)))
              (local.set $vi (v128.bitselect (i32x4.add (local.get $i0) (v128.const i32x4 1 1 1 1)) (local.get $vi) (local.get $m)))
              ;; bottom row: taps (1,0) and (1,1)
              (local.set $p (i32.add (local.get $p) (i32.shl (local.get $w) (i32.const 2))))
              (local.set $i0 (i32x4.add (local.get $i0) (i32x4.splat (local.get $w))))
              (local.set $a (v128.load (local.get $p)))
              (local.set $b (v128.load offset=16 (local.get $p)))
              (local.set $e (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a) (local.get $b)))
              (local.set $o (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a) (local.get $b)))
              (local.set $m (f32x4.gt (local.get $e) (local.get $vv)))
              (local.set $vv (v128.bitselect (local.get $e) (local.get $vv) (local.get $m)))
              (local.set $vi (v128.bitselect (local.get $i0) (local.get $vi) (local.get $m)))
              (local.set $m (f32x4.gt (local.get $o) (local.get $vv)))
              (local.set $vv (v128.bitselect (local.get $o) (local.get $vv) (local.get $m)))
              (local.set $vi (v128.bitselect (i32x4.add (local.get $i0) (v128.const i32x4 1 1 1 1)) (local.get $vi) (local.get $m)))
              (v128.store (local.get $out) (local.get $vv))
              (v128.store (local.get $arg) (local.get $vi))
              (local.set $out (i32.add (local.get $out) (i32.const 16)))
              (local.set $arg (i32.add (local.get $arg) (i32.const 16)))
              (local.set $ox (i32.add (local.get $ox) (i32.const 4))))
            (else
              (local.set $best (local.get $base))
              (local.set $bv (f32.load (i32.add (local.get $x) (i32.shl (local.get $base) (i32.const 2)))))
              (local.set $ky (i32.const 0))
              (loop $wy
                (local.set $row (i32.add (local.get $base) (i32.mul (local.get $ky) (local.get $w))))
                (local.set $kx (i32.const 0))
                (loop $wx
                  (local.set $v (f32.load (i32.add (local.get $x) (i32.shl (i32.add (local.get $row) (local.get $kx)) (i32.const 2)))))
                  (local.set $best (select (i32.add (local.get $row) (local.get $kx)) (local.get $best) (f32.gt (local.get $v) (local.get $bv))))
                  (local.set $bv (select (local.get $v) (local.get $bv) (f32.gt (local.get $v) (local.get $bv))))
                  (br_if $wx (i32.lt_u (local.tee $kx (i32.add (local.get $kx) (i32.const 1))) (local.get $kw))))
                (br_if $wy (i32.lt_u (local.tee $ky (i32.add (local.get $ky) (i32.const 1))) (local.get $kh))))
              (f32.store (local.get $out) (local.get $bv))
              (i32.store (local.get $arg) (local.get $best))
              (local.set $out (i32.add (local.get $out) (i32.const 4)))
              (local.set $arg (i32.add (local.get $arg) (i32.const 4)))
              (local.set $ox (i32.add (local.get $ox) (i32.const 1)))))
          (br_if $xl (i32.lt_u (local.get $ox) (local.get $ow))))
        (br_if $y (i32.lt_u (local.tee $oy (i32.add (local.get $oy) (i32.const 1))) (local.get $oh))))
      (local.set $x (i32.add (local.get $x) (i32.shl (i32.mul (local.get $h) (local.get $w)) (i32.const 2))))
      (br_if $plane (local.tee $planes (i32.sub (local.get $planes) (i32.const 1))))))

  ;; The adjoint of max pooling: dx (planes of hw floats) is zeroed, then each dy[i] is added at
  ;; its plane's argmax[i]; dy and argmax hold ohw values a plane.
  (func $maxpool_back (param $dy i32) (param $arg i32) (param $planes i32) (param $ohw i32) (param $hw i32) (param $dx i32)
    (local $i i32) (local $p i32)
    (memory.fill (local.get $dx) (i32.const 0) (i32.shl (i32.mul (local.get $planes) (local.get $hw)) (i32.const 2)))
    (if (i32.eqz (i32.mul (local.get $planes) (local.get $ohw))) (then (return)))
    (loop $plane
      (local.set $i (local.get $ohw))
      (loop $l
        (local.set $p (i32.add (local.get $dx) (i32.shl (i32.load (local.get $arg)) (i32.const 2))))
        (f32.store (local.get $p) (f32.add (f32.load (local.get $p)) (f32.load (local.get $dy))))
        (local.set $dy (i32.add (local.get $dy) (i32.const 4)))
        (local.set $arg (i32.add (local.get $arg) (i32.const 4)))
        (br_if $l (local.tee $i (i32.sub (local.get $i) (i32.const 1)))))
      (local.set $dx (i32.add (local.get $dx) (i32.shl (local.get $hw) (i32.const 2))))
      (br_if $plane (local.tee $planes (i32.sub (local.get $planes) (i32.const 1))))))

  ;; Adam (PyTorch's rule), in place on n floats: g' = g + l2*p; m = b1*m + c1*g';
  ;; v = b2*v + c2*g'^2; p = p*decay - lr*(m/bc1) / (sqrt(v/bc2) + eps). (c1 = 1 - b1 and
  ;; c2 = 1 - b2 come computed in float64, as the JS kernel has them.)
  (func $adam (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $n i32)
              (param $lr f32) (param $b1 f32) (param $c1 f32) (param $b2 f32) (param $c2 f32)
              (param $eps f32) (param $bc1 f32) (param $bc2 f32) (param $l2 f32) (param $decay f32)
    (local $end i32) (local $st i32) (local $vp v128) (local $vg v128) (local $vm v128) (local $vv v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $st (select (i32.const 16) (i32.const 4) (i32.ge_u (i32.sub (local.get $end) (local.get $p)) (i32.const 16))))
      (if (i32.eq (local.get $st) (i32.const 16))
        (then
          (local.set $vp (v128.load (local.get $p))) (local.set $vg (v128.load (local.get $g)))
          (local.set $vm (v128.load (local.get $m))) (local.set $vv (v128.load (local.get $v))))
        (else
          (local.set $vp (v128.load32_zero (local.get $p))) (local.set $vg (v128.load32_zero (local.get $g)))
          (local.set $vm (v128.load32_zero (local.get $m))) (local.set $vv (v128.load32_zero (local.get $v)))))
      (local.set $vg (f32x4.add (local.get $vg) (f32x4.mul (f32x4.splat (local.get $l2)) (local.get $vp))))
      (local.set $vm (f32x4.add (f32x4.mul (f32x4.splat (local.get $b1)) (local.get $vm)) (f32x4.mul (f32x4.splat (local.get $c1)) (local.get $vg))))
      (local.set $vv (f32x4.add (f32x4.mul (f32x4.splat (local.get $b2)) (local.get $vv))
                                (f32x4.mul (f32x4.mul (f32x4.splat (local.get $c2)) (local.get $vg)) (local.get $vg))))
      (local.set $vp (f32x4.sub (f32x4.mul (local.get $vp) (f32x4.splat (local.get $decay)))
        (f32x4.div (f32x4.mul (f32x4.splat (local.get $lr)) (f32x4.div (local.get $vm) (f32x4.splat (local.get $bc1))))
                   (f32x4.add (f32x4.sqrt (f32x4.div (local.get $vv) (f32x4.splat (local.get $bc2)))) (f32x4.splat (local.get $eps))))))
      (if (i32.eq (local.get $st) (i32.const 16))
        (then
          (v128.store (local.get $p) (local.get $vp)) (v128.store (local.get $m) (local.get $vm)) (v128.store (local.get $v) (local.get $vv)))
        (else
          (v128.store32_lane 0 (local.get $p) (local.get $vp)) (v128.store32_lane 0 (local.get $m) (local.get $vm))
          (v128.store32_lane 0 (local.get $v) (local.get $vv))))
      (local.set $p (i32.add (local.get $p) (local.get $st)))
      (local.set $g (i32.add (local.get $g) (local.get $st)))
      (local.set $m (i32.add (local.get $m) (local.get $st)))
      (local.set $v (i32.add (local.get $v) (local.get $st)))
      (br $l))))

  ;; A strided copy of a d0 x d1 x d2 box: out[i0*t0 + i1*t1 + i2] = a[i0*s0 + i1*s1 + i2]
  ;; (element strides; rows contiguous on both sides). It lays a convolution's batch out as one
  ;; matrix (N·C·P <-> C·N·P) so that each convolution is one gemm across the batch.
  (func $gather (param $a i32) (param $s0 i32) (param $s1 i32) (param $out i32) (param $t0 i32) (param $t1 i32)
                (param $d0 i32) (param $d1 i32) (param $d2 i32)
    (local $i0 i32) (local $i1 i32) (local $src i32) (local $dst i32) (local $end i32)
    (if (i32.eqz (i32.mul (i32.mul (local.get $d0) (local.get $d1)) (local.get $d2))) (then (return)))
    (loop $l0
      (local.set $i1 (i32.const 0))
      (loop $l1
        (local.set $src (i32.add (local.get $a) (i32.shl (i32.add (i32.mul (local.get $i0) (local.get $s0)) (i32.mul (local.get $i1) (local.get $s1))) (i32.const 2))))
        (local.set $dst (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $i0) (local.get $t0)) (i32.mul (local.get $i1) (local.get $t1))) (i32.const 2))))
        (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $d2) (i32.const 2))))
        (block $vdone (loop $v
          (br_if $vdone (i32.gt_u (i32.add (local.get $dst) (i32.const 16)) (local.get $end)))
          (v128.store (local.get $dst) (v128.load (local.get $src)))
          (local.set $src (i32.add (local.get $src) (i32.const 16)))
          (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
          (br $v)))
        (block $sdone (loop $s
          (br_if $sdone (i32.ge_u (local.get $dst) (local.get $end)))
          (f32.store (local.get $dst) (f32.load (local.get $src)))
          (local.set $src (i32.add (local.get $src) (i32.const 4)))
          (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
          (br $s)))
        (br_if $l1 (i32.lt_u (local.tee $i1 (i32.add (local.get $i1) (i32.const 1))) (local.get $d1))))
      (br_if $l0 (i32.lt_u (local.tee $i0 (i32.add (local.get $i0) (i32.const 1))) (local.get $d0)))))

  ;; ---- batch normalisation, clamp and leakyRelu (batchnorm.ts) -------------------------------
  ;; x is [N, C, S] (S: the product of the axes after the channel axis); channel c's values are the
  ;; N rows x[(n*C + c)*S .. +S). Each kernel does channels [c0, c1): threads split the channels,
  ;; so every per-channel sum is made by one thread in one order, whatever the thread count. The
  ;; loops walk the memory in order (n outer, then the thread's channels, a contiguous block per
  ;; n), keeping each channel's running sums in `acc` (32 bytes a channel, indexed by c): walking
  ;; channel by channel instead jumps C*S floats per row and ran at half the bandwidth.
  ;; Sums: f32x4 over blocks of at most 16 vectors of a row (16 terms a lane), each block's
  ;; partial sums then added into f64x2 accumulators (promoted as low and high halves; a row's
  ;; tail past its last full vector goes into lane 0 in f64). With f64 arithmetic for every
  ;; element the statistics pass was compute-bound and 2.8x slower ([128,96,16,16], 2 threads).

  ;; mean[c] and the biased variance var[c] of channel c over its N*S values, for c in [c0, c1),
  ;; from sums of d = x - x0 and d*d (x0: the channel's first value, so a mean far from 0 does
  ;; not cancel the variance away).
  (func $bn_stats (param $x i32) (param $n i32) (param $c i32) (param $s i32) (param $c0 i32) (param $c1 i32)
                  (param $mean i32) (param $var i32) (param $acc i32)
    (local $i i32) (local $ch i32) (local $p i32) (local $end i32) (local $a i32) (local $k f32) (local $vk v128)
    (local $d v128) (local $s1 v128) (local $s2 v128) (local $f1 v128) (local $f2 v128) (local $bend i32)
    (local $dd f64) (local $cnt f64) (local $m f64) (local $v f64)
    (memory.fill (i32.add (local.get $acc) (i32.shl (local.get $c0) (i32.const 5))) (i32.const 0)
                 (i32.shl (i32.sub (local.get $c1) (local.get $c0)) (i32.const 5)))
    (block $ndone (loop $nl
      (br_if $ndone (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $ch (local.get $c0))
      (block $cdone (loop $cl
        (br_if $cdone (i32.ge_u (local.get $ch) (local.get $c1)))
        (local.set $k (f32.load (i32.add (local.get $x) (i32.shl (i32.mul (local.get $ch) (local.get $s)) (i32.const 2)))))
        (local.set $vk (f32x4.splat (local.get $k)))
        (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $ch) (i32.const 5))))
        (local.set $s1 (v128.load (local.get $a)))
        (local.set $s2 (v128.load offset=16 (local.get $a)))
        (local.set $p (i32.add (local.get $x) (i32.shl (i32.mul (i32.add (i32.mul (local.get $i) (local.get $c)) (local.get $ch)) (local.get $s)) (i32.const 2))))
        (local.set $end (i32.add (local.get $p) (i32.shl (local.get $s) (i32.const 2))))
        (block $vdone (loop $vl
          (br_if $vdone (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $end)))
          ;; A block of at most 16 vectors summed in f32x4 (16 terms a lane), then added in f64.
          (local.set $bend (select (i32.add (local.get $p) (i32.const 256)) (local.get $end)
                                   (i32.le_u (i32.add (local.get $p) (i32.const 256)) (local.get $end))))
          (local.set $f1 (v128.const f32x4 0 0 0 0))
          (local.set $f2 (v128.const f32x4 0 0 0 0))
          (loop $bl
            (local.set $d (f32x4.sub (v128.load (local.get $p)) (local.get $vk)))
            (local.set $f1 (f32x4.add (local.get $f1) (local.get $d)))
            (local.set $f2 (f32x4.add (local.get $f2) (f32x4.mul (local.get $d) (local.get $d))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br_if $bl (i32.le_u (i32.add (local.get $p) (i32.const 16)) (local.get $bend))))
          (local.set $s1 (f64x2.add (local.get $s1) (f64x2.add (f64x2.promote_low_f32x4 (local.get $f1))
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $f1) (local.get $f1))))))
          (local.set $s2 (f64x2.add (local.get $s2) (f64x2.add (f64x2.promote_low_f32x4 (local.get $f2))
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $f2) (local.get $f2))))))
          (br $vl)))
        (block $sdone (loop $sl
          (br_if $sdone (i32.ge_u (local.get $p) (local.get $end)))
          (local.set $dd (f64.promote_f32 (f32.sub (f32.load (local.get $p)) (local.get $k))))
          (local.set $s1 (f64x2.replace_lane 0 (local.get $s1) (f64.add (f64x2.extract_lane 0 (local.get $s1)) (local.get $dd))))
          (local.set $s2 (f64x2.replace_lane 0 (local.get $s2) (f64.add (f64x2.extract_lane 0 (local.get $s2)) (f64.mul (local.get $dd) (local.get $dd)))))
          (local.set $p (i32.add (local.get $p) (i32.const 4)))
          (br $sl)))
        (v128.store (local.get $a) (local.get $s1))
        (v128.store offset=16 (local.get $a) (local.get $s2))
        (local.set $ch (i32.add (local.get $ch) (i32.const 1)))
        (br $cl)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $nl)))
    (local.set $cnt (f64.convert_i32_u (i32.mul (local.get $n) (local.get $s))))
    (block $odone (loop $ol
      (br_if $odone (i32.ge_u (local.get $c0) (local.get $c1)))
      (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $c0) (i32.const 5))))
      (local.set $k (f32.load (i32.add (local.get $x) (i32.shl (i32.mul (local.get $c0) (local.get $s)) (i32.const 2)))))
      (local.set $m (f64.div (f64.add (f64.load (local.get $a)) (f64.load offset=8 (local.get $a))) (local.get $cnt)))
      (local.set $v (f64.sub (f64.div (f64.add (f64.load offset=16 (local.get $a)) (f64.load offset=24 (local.get $a))) (local.get $cnt))
                             (f64.mul (local.get $m) (local.get $m))))
      (f32.store (i32.add (local.get $mean) (i32.shl (local.get $c0) (i32.const 2))) (f32.demote_f64 (f64.add (f64.promote_f32 (local.get $k)) (local.get $m))))
      (f32.store (i32.add (local.get $var) (i32.shl (local.get $c0) (i32.const 2))) (f32.demote_f64 (f64.max (local.get $v) (f64.const 0))))
      (local.set $c0 (i32.add (local.get $c0) (i32.const 1)))
      (br $ol))))

  ;; y = (x - mean[c]) * scale[c] + shift[c] for the channels [c0, c1) (scale = rstd * weight).
  (func $bn_apply (param $x i32) (param $y i32) (param $n i32) (param $c i32) (param $s i32) (param $c0 i32) (param $c1 i32)
                  (param $mean i32) (param $scale i32) (param $shift i32)
    (local $i i32) (local $ch i32) (local $off i32) (local $p i32) (local $q i32) (local $end i32) (local $st i32)
    (local $vm v128) (local $va v128) (local $vb v128) (local $v v128)
    (block $ndone (loop $nl
      (br_if $ndone (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $ch (local.get $c0))
      (block $cdone (loop $cl
        (br_if $cdone (i32.ge_u (local.get $ch) (local.get $c1)))
        (local.set $vm (v128.load32_splat (i32.add (local.get $mean) (i32.shl (local.get $ch) (i32.const 2)))))
        (local.set $va (v128.load32_splat (i32.add (local.get $scale) (i32.shl (local.get $ch) (i32.const 2)))))
        (local.set $vb (v128.load32_splat (i32.add (local.get $shift) (i32.shl (local.get $ch) (i32.const 2)))))
        (local.set $off (i32.shl (i32.mul (i32.add (i32.mul (local.get $i) (local.get $c)) (local.get $ch)) (local.get $s)) (i32.const 2)))
        (local.set $p (i32.add (local.get $x) (local.get $off)))
        (local.set $q (i32.add (local.get $y) (local.get $off)))
        (local.set $end (i32.add (local.get $p) (i32.shl (local.get $s) (i32.const 2))))
        (block $done (loop $l
          (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
          (local.set $st (select (i32.const 16) (i32.const 4) (i32.ge_u (i32.sub (local.get $end) (local.get $p)) (i32.const 16))))
          (if (i32.eq (local.get $st) (i32.const 16))
            (then (local.set $v (v128.load (local.get $p))))
            (else (local.set $v (v128.load32_zero (local.get $p)))))
          (local.set $v (f32x4.add (f32x4.mul (f32x4.sub (local.get $v) (local.get $vm)) (local.get $va)) (local.get $vb)))
          (if (i32.eq (local.get $st) (i32.const 16))
            (then (v128.store (local.get $q) (local.get $v)))
            (else (v128.store32_lane 0 (local.get $q) (local.get $v))))
          (local.set $p (i32.add (local.get $p) (local.get $st)))
          (local.set $q (i32.add (local.get $q) (local.get $st)))
          (br $l)))
        (local.set $ch (i32.add (local.get $ch) (i32.const 1)))
        (br $cl)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $nl))))

  ;; The training-mode gradient for the channels [c0, c1). With xc = x - mean[c], f64 sums
  ;; g1 = sum dy and g2 = sum dy*xc; then dbias[c] = g1, dweight[c] = rstd*g2, and
  ;; dx = k1*dy + k2*xc + k3, k1 = rstd*w, k2 = -w*rstd^3*g2/cnt, k3 = -rstd*w*g1/cnt
  ;; (that is rstd*w*(dy - mean(dy) - xhat*mean(dy*xhat)) with xhat = xc*rstd). acc holds the
  ;; sums, then k1, k2, k3 as f32.
  (func $bn_back (param $dy i32) (param $x i32) (param $dx i32) (param $n i32) (param $c i32) (param $s i32)
                 (param $c0 i32) (param $c1 i32) (param $mean i32) (param $rstd i32) (param $w i32) (param $dw i32) (param $db i32)
                 (param $acc i32)
    (local $i i32) (local $ch i32) (local $off i32) (local $p i32) (local $q i32) (local $o i32) (local $end i32) (local $st i32) (local $a i32) (local $bend i32)
    (local $m f32) (local $vm v128) (local $g v128) (local $d v128) (local $lo v128) (local $hi v128)
    (local $s1 v128) (local $s2 v128) (local $cnt f64) (local $r f64) (local $wt f64) (local $g1 f64) (local $g2 f64)
    (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $v v128)
    (memory.fill (i32.add (local.get $acc) (i32.shl (local.get $c0) (i32.const 5))) (i32.const 0)
                 (i32.shl (i32.sub (local.get $c1) (local.get $c0)) (i32.const 5)))
    (block $ndone (loop $nl
      (br_if $ndone (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $ch (local.get $c0))
      (block $cdone (loop $cl
        (br_if $cdone (i32.ge_u (local.get $ch) (local.get $c1)))
        (local.set $m (f32.load (i32.add (local.get $mean) (i32.shl (local.get $ch) (i32.const 2)))))
        (local.set $vm (f32x4.splat (local.get $m)))
        (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $ch) (i32.const 5))))
        (local.set $s1 (v128.load (local.get $a)))
        (local.set $s2 (v128.load offset=16 (local.get $a)))
        (local.set $off (i32.shl (i32.mul (i32.add (i32.mul (local.get $i) (local.get $c)) (local.get $ch)) (local.get $s)) (i32.const 2)))
        (local.set $p (i32.add (local.get $dy) (local.get $off)))
        (local.set $q (i32.add (local.get $x) (local.get $off)))
        (local.set $end (i32.add (local.get $p) (i32.shl (local.get $s) (i32.const 2))))
        (block $vdone (loop $vl
          (br_if $vdone (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $end)))
          ;; Blocks of at most 16 vectors in f32x4, then f64, as in $bn_stats.
          (local.set $bend (select (i32.add (local.get $p) (i32.const 256)) (local.get $end)
                                   (i32.le_u (i32.add (local.get $p) (i32.const 256)) (local.get $end))))
          (local.set $lo (v128.const f32x4 0 0 0 0))
          (local.set $hi (v128.const f32x4 0 0 0 0))
          (loop $bl
            (local.set $g (v128.load (local.get $p)))
            (local.set $lo (f32x4.add (local.get $lo) (local.get $g)))
            (local.set $hi (f32x4.add (local.get $hi) (f32x4.mul (local.get $g) (f32x4.sub (v128.load (local.get $q)) (local.get $vm)))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (local.set $q (i32.add (local.get $q) (i32.const 16)))
            (br_if $bl (i32.le_u (i32.add (local.get $p) (i32.const 16)) (local.get $bend))))
          (local.set $s1 (f64x2.add (local.get $s1) (f64x2.add (f64x2.promote_low_f32x4 (local.get $lo))
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $lo) (local.get $lo))))))
          (local.set $s2 (f64x2.add (local.get $s2) (f64x2.add (f64x2.promote_low_f32x4 (local.get $hi))
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $hi) (local.get $hi))))))
          (br $vl)))
        (block $sdone (loop $sl
          (br_if $sdone (i32.ge_u (local.get $p) (local.get $end)))
          (local.set $s1 (f64x2.replace_lane 0 (local.get $s1) (f64.add (f64x2.extract_lane 0 (local.get $s1)) (f64.promote_f32 (f32.load (local.get $p))))))
          (local.set $s2 (f64x2.replace_lane 0 (local.get $s2) (f64.add (f64x2.extract_lane 0 (local.get $s2))
            (f64.promote_f32 (f32.mul (f32.load (local.get $p)) (f32.sub (f32.load (local.get $q)) (local.get $m)))))))
          (local.set $p (i32.add (local.get $p) (i32.const 4)))
          (local.set $q (i32.add (local.get $q) (i32.const 4)))
          (br $sl)))
        (v128.store (local.get $a) (local.get $s1))
        (v128.store offset=16 (local.get $a) (local.get $s2))
        (local.set $ch (i32.add (local.get $ch) (i32.const 1)))
        (br $cl)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $nl)))
    (local.set $cnt (f64.convert_i32_u (i32.mul (local.get $n) (local.get $s))))
    (local.set $ch (local.get $c0))
    (block $kdone (loop $kl
      (br_if $kdone (i32.ge_u (local.get $ch) (local.get $c1)))
      (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $ch) (i32.const 5))))
      (local.set $g1 (f64.add (f64.load (local.get $a)) (f64.load offset=8 (local.get $a))))
      (local.set $g2 (f64.add (f64.load offset=16 (local.get $a)) (f64.load offset=24 (local.get $a))))
      (local.set $r (f64.promote_f32 (f32.load (i32.add (local.get $rstd) (i32.shl (local.get $ch) (i32.const 2))))))
      (local.set $wt (f64.promote_f32 (f32.load (i32.add (local.get $w) (i32.shl (local.get $ch) (i32.const 2))))))
      (f32.store (i32.add (local.get $db) (i32.shl (local.get $ch) (i32.const 2))) (f32.demote_f64 (local.get $g1)))
      (f32.store (i32.add (local.get $dw) (i32.shl (local.get $ch) (i32.const 2))) (f32.demote_f64 (f64.mul (local.get $r) (local.get $g2))))
      (f32.store (local.get $a) (f32.demote_f64 (f64.mul (local.get $r) (local.get $wt))))
      (f32.store offset=4 (local.get $a) (f32.demote_f64 (f64.div (f64.mul (f64.neg (local.get $wt)) (f64.mul (f64.mul (local.get $r) (local.get $r)) (f64.mul (local.get $r) (local.get $g2)))) (local.get $cnt))))
      (f32.store offset=8 (local.get $a) (f32.demote_f64 (f64.div (f64.mul (f64.neg (f64.mul (local.get $r) (local.get $wt))) (local.get $g1)) (local.get $cnt))))
      (local.set $ch (i32.add (local.get $ch) (i32.const 1)))
      (br $kl)))
    (local.set $i (i32.const 0))
    (block $n2done (loop $n2l
      (br_if $n2done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $ch (local.get $c0))
      (block $c2done (loop $c2l
        (br_if $c2done (i32.ge_u (local.get $ch) (local.get $c1)))
        (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $ch) (i32.const 5))))
        (local.set $v1 (v128.load32_splat (local.get $a)))
        (local.set $v2 (v128.load32_splat offset=4 (local.get $a)))
        (local.set $v3 (v128.load32_splat offset=8 (local.get $a)))
        (local.set $vm (v128.load32_splat (i32.add (local.get $mean) (i32.shl (local.get $ch) (i32.const 2)))))
        (local.set $off (i32.shl (i32.mul (i32.add (i32.mul (local.get $i) (local.get $c)) (local.get $ch)) (local.get $s)) (i32.const 2)))
        (local.set $p (i32.add (local.get $dy) (local.get $off)))
        (local.set $q (i32.add (local.get $x) (local.get $off)))
        (local.set $o (i32.add (local.get $dx) (local.get $off)))
        (local.set $end (i32.add (local.get $p) (i32.shl (local.get $s) (i32.const 2))))
        (block $done (loop $l
          (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
          (local.set $st (select (i32.const 16) (i32.const 4) (i32.ge_u (i32.sub (local.get $end) (local.get $p)) (i32.const 16))))
          (if (i32.eq (local.get $st) (i32.const 16))
            (then (local.set $g (v128.load (local.get $p))) (local.set $d (v128.load (local.get $q))))
            (else (local.set $g (v128.load32_zero (local.get $p))) (local.set $d (v128.load32_zero (local.get $q)))))
          (local.set $v (f32x4.add (f32x4.add (f32x4.mul (local.get $v1) (local.get $g))
                                              (f32x4.mul (local.get $v2) (f32x4.sub (local.get $d) (local.get $vm)))) (local.get $v3)))
          (if (i32.eq (local.get $st) (i32.const 16))
            (then (v128.store (local.get $o) (local.get $v)))
            (else (v128.store32_lane 0 (local.get $o) (local.get $v))))
          (local.set $p (i32.add (local.get $p) (local.get $st)))
          (local.set $q (i32.add (local.get $q) (local.get $st)))
          (local.set $o (i32.add (local.get $o) (local.get $st)))
          (br $l)))
        (local.set $ch (i32.add (local.get $ch) (i32.const 1)))
        (br $c2l)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $n2l))))

  ;; Activations the generic kernels ran in JS, by kind (ACT_KINDS in batchnorm.ts); any other kind traps:
  ;;   kinds: 0 clamp, 1 clamp_back, 2 leaky_relu
  ;; clamp: out = x < lo ? lo : x > hi ? hi : x (as the JS kernel: NaN stays NaN, -0 stays -0);
  ;; clamp_back: out = g * (lo <= x <= hi ? 1 : 0), g read at $g; leaky_relu: out = x > 0 ? x : lo*x
  ;; (lo: the negative slope; NaN stays NaN).
  (func $act (param $kind i32) (param $x i32) (param $g i32) (param $out i32) (param $n i32) (param $lo f32) (param $hi f32)
    (local $end i32) (local $st i32) (local $v v128) (local $gv v128) (local $vl v128) (local $vh v128)
    (if (i32.gt_u (local.get $kind) (i32.const 2)) (then unreachable))
    (local.set $vl (f32x4.splat (local.get $lo)))
    (local.set $vh (f32x4.splat (local.get $hi)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $st (select (i32.const 16) (i32.const 4) (i32.ge_u (i32.sub (local.get $end) (local.get $x)) (i32.const 16))))
      (if (i32.eq (local.get $st) (i32.const 16))
        (then (local.set $v (v128.load (local.get $x))))
        (else (local.set $v (v128.load32_zero (local.get $x)))))
      (if (i32.eq (local.get $kind) (i32.const 2))
        (then
          (local.set $v (v128.bitselect (local.get $v) (f32x4.mul (local.get $v) (local.get $vl)) (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0))))))
      (if (i32.eqz (local.get $kind))
        (then
          (local.set $v (v128.bitselect (local.get $vl) (local.get $v) (f32x4.lt (local.get $v) (local.get $vl))))
          (local.set $v (v128.bitselect (local.get $vh) (local.get $v) (f32x4.gt (local.get $v) (local.get $vh))))))
      (if (i32.eq (local.get $kind) (i32.const 1))
        (then
          (if (i32.eq (local.get $st) (i32.const 16))
            (then (local.set $gv (v128.load (local.get $g))))
            (else (local.set $gv (v128.load32_zero (local.get $g)))))
          (local.set $v (f32x4.mul (local.get $gv)
            (v128.and (v128.and (f32x4.ge (local.get $v) (local.get $vl)) (f32x4.le (local.get $v) (local.get $vh))) (v128.const f32x4 1 1 1 1))))
          (local.set $g (i32.add (local.get $g) (local.get $st)))))
      (if (i32.eq (local.get $st) (i32.const 16))
        (then (v128.store (local.get $out) (local.get $v)))
        (else (v128.store32_lane 0 (local.get $out) (local.get $v))))
      (local.set $x (i32.add (local.get $x) (local.get $st)))
      (local.set $out (i32.add (local.get $out) (local.get $st)))
      (br $l))))

  ;; ---- Transformer rows (issue 16): softmax along the last axis and its backward, layer norm,
  ;; GELU. Each row is worked by one thread with the same instructions whatever the thread count
  ;; (the commands split rows, never a row). Full groups of four go as vectors, the tail of a row
  ;; one float at a time through the same vector code (splat in, lane 0 out).

  ;; exp of four floats (Cephes' range reduction): k = round(x·log2 e), r = x − k·ln 2 (ln 2 in two parts),
  ;; e^r by a degree-5 polynomial, times 2^k made in the exponent bits ($softmax_rows has the same
  ;; steps inline, two vectors interleaved: keep the two alike). x is clamped to
  ;; [−87.33654, 88.37626] (2^k stays a normal float; e^−87.3 is 1e−38, not 0) with pmax/pmin,
  ;; single instructions on x86 where max/min are long NaN-propagating sequences; pmax(x, lo)
  ;; keeps a NaN x, so NaN stays NaN.
  ;; Within 2 ulp of Math.exp on that range.
  (func $exp4 (param $x v128) (result v128)
    (local $xk v128) (local $xr v128) (local $xy v128) (local $xr2 v128)
    ;; k = round(x·log2 e) by adding 1.5·2^23: the sum's low mantissa bits are k (cheaper than
    ;; f32x4.nearest and i32x4.trunc_sat, which V8 expands into long sequences on x86); 2^k is
    ;; k + 127 in the exponent field. e^r = 1 + r·p(r), p of degree 4 fitted (weighted least
    ;; squares to minimax) for relative error 9e-8 on |r| <= ln2/2, in Estrin's form: a shorter
    ;; dependency chain than Horner's, which kept the core waiting on each result.
    (local.set $x (f32x4.pmin (f32x4.pmax (local.get $x) (v128.const f32x4 -87.33654 -87.33654 -87.33654 -87.33654)) (v128.const f32x4 88.37626 88.37626 88.37626 88.37626)))
    (local.set $xy (f32x4.add (f32x4.mul (local.get $x) (v128.const f32x4 1.44269504 1.44269504 1.44269504 1.44269504)) (v128.const f32x4 12582912 12582912 12582912 12582912)))
    (local.set $xk (f32x4.sub (local.get $xy) (v128.const f32x4 12582912 12582912 12582912 12582912)))
    (local.set $xr (f32x4.sub (f32x4.sub (local.get $x) (f32x4.mul (local.get $xk) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))) (f32x4.mul (local.get $xk) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
    (local.set $xk (i32x4.shl (i32x4.add (local.get $xy) (v128.const i32x4 -1262485377 -1262485377 -1262485377 -1262485377)) (i32.const 23)))
    (local.set $xr2 (f32x4.mul (local.get $xr) (local.get $xr)))
    (local.set $xy (f32x4.add (f32x4.add (v128.const f32x4 0.9999997019767761 0.9999997019767761 0.9999997019767761 0.9999997019767761) (f32x4.mul (local.get $xr) (v128.const f32x4 0.4999915063381195 0.4999915063381195 0.4999915063381195 0.4999915063381195))) (f32x4.mul (local.get $xr2) (f32x4.add (v128.const f32x4 0.1666763573884964 0.1666763573884964 0.1666763573884964 0.1666763573884964) (f32x4.mul (local.get $xr) (v128.const f32x4 0.04189793020486832 0.04189793020486832 0.04189793020486832 0.04189793020486832))))))
    (local.set $xy (f32x4.add (local.get $xy) (f32x4.mul (f32x4.mul (local.get $xr2) (local.get $xr2)) (v128.const f32x4 0.008290314115583897 0.008290314115583897 0.008290314115583897 0.008290314115583897))))
    (f32x4.mul (f32x4.add (f32x4.mul (local.get $xy) (local.get $xr)) (v128.const f32x4 1 1 1 1)) (local.get $xk)))

  ;; erf of four floats to float32 accuracy, as erf32 in elementwise.ts: the Maclaurin series to
  ;; x^11 below |x| 0.5, Abramowitz & Stegun 7.1.26 above (both computed, one kept per lane).
  (func $erf4 (param $x v128) (result v128)
    (local $ax v128) (local $x2 v128) (local $s v128) (local $t v128) (local $p v128)
    (local.set $ax (f32x4.abs (local.get $x)))
    (local.set $x2 (f32x4.mul (local.get $x) (local.get $x)))
    (local.set $s (f32x4.add (f32x4.mul (local.get $x2) (v128.const f32x4 -7.575757575757576e-4 -7.575757575757576e-4 -7.575757575757576e-4 -7.575757575757576e-4))
                             (v128.const f32x4 4.6296296296296294e-3 4.6296296296296294e-3 4.6296296296296294e-3 4.6296296296296294e-3)))
    (local.set $s (f32x4.add (f32x4.mul (local.get $x2) (local.get $s)) (v128.const f32x4 -2.380952380952381e-2 -2.380952380952381e-2 -2.380952380952381e-2 -2.380952380952381e-2)))
    (local.set $s (f32x4.add (f32x4.mul (local.get $x2) (local.get $s)) (v128.const f32x4 0.1 0.1 0.1 0.1)))
    (local.set $s (f32x4.add (f32x4.mul (local.get $x2) (local.get $s)) (v128.const f32x4 -0.3333333333333333 -0.3333333333333333 -0.3333333333333333 -0.3333333333333333)))
    (local.set $s (f32x4.add (f32x4.mul (local.get $x2) (local.get $s)) (v128.const f32x4 1 1 1 1)))
    (local.set $s (f32x4.mul (f32x4.mul (local.get $x) (local.get $s)) (v128.const f32x4 1.1283791670955126 1.1283791670955126 1.1283791670955126 1.1283791670955126)))
    (local.set $t (f32x4.div (v128.const f32x4 1 1 1 1)
      (f32x4.add (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $ax) (v128.const f32x4 0.3275911 0.3275911 0.3275911 0.3275911)))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $t) (v128.const f32x4 1.061405429 1.061405429 1.061405429 1.061405429))
                             (v128.const f32x4 -1.453152027 -1.453152027 -1.453152027 -1.453152027)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $t) (local.get $p)) (v128.const f32x4 1.421413741 1.421413741 1.421413741 1.421413741)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $t) (local.get $p)) (v128.const f32x4 -0.284496736 -0.284496736 -0.284496736 -0.284496736)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $t) (local.get $p)) (v128.const f32x4 0.254829592 0.254829592 0.254829592 0.254829592)))
    (local.set $p (f32x4.sub (v128.const f32x4 1 1 1 1)
      (f32x4.mul (f32x4.mul (local.get $t) (local.get $p)) (call $exp4 (f32x4.neg (local.get $x2))))))
    ;; copysign(p, x): the large-|x| branch is computed on |x|.
    (local.set $p (v128.or (v128.and (local.get $p) (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff))
                           (v128.and (local.get $x) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))))
    (v128.bitselect (local.get $s) (local.get $p) (f32x4.lt (local.get $ax) (v128.const f32x4 0.5 0.5 0.5 0.5))))

  ;; out[i] = GELU(x[i]) = x·Φ(x) (kind 0) or its derivative Φ(x) + x·φ(x) (kind 1), for i in
  ;; [0, n); Φ(x) = (1 + erf(x/√2))/2, φ(x) = e^(−x²/2)/√(2π). Any other kind traps.
  ;;   kinds: 0 gelu, 1 geluGrad
  (func $gelu (param $kind i32) (param $x i32) (param $out i32) (param $n i32)
    (local $end i32) (local $st i32) (local $v v128) (local $cdf v128)
    (if (i32.gt_u (local.get $kind) (i32.const 1)) (then unreachable))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $st (select (i32.const 16) (i32.const 4) (i32.ge_u (i32.sub (local.get $end) (local.get $x)) (i32.const 16))))
      (if (i32.eq (local.get $st) (i32.const 16))
        (then (local.set $v (v128.load (local.get $x))))
        (else (local.set $v (v128.load32_zero (local.get $x)))))
      (local.set $cdf (f32x4.add (v128.const f32x4 0.5 0.5 0.5 0.5) (f32x4.mul (v128.const f32x4 0.5 0.5 0.5 0.5)
        (call $erf4 (f32x4.mul (local.get $v) (v128.const f32x4 0.7071067811865476 0.7071067811865476 0.7071067811865476 0.7071067811865476))))))
      (if (i32.eqz (local.get $kind))
        (then (local.set $v (f32x4.mul (local.get $v) (local.get $cdf))))
        (else (local.set $v (f32x4.add (local.get $cdf)
          (f32x4.mul (f32x4.mul (local.get $v) (v128.const f32x4 0.3989422804014327 0.3989422804014327 0.3989422804014327 0.3989422804014327))
            (call $exp4 (f32x4.mul (f32x4.mul (local.get $v) (local.get $v)) (v128.const f32x4 -0.5 -0.5 -0.5 -0.5))))))))
      (if (i32.eq (local.get $st) (i32.const 16))
        (then (v128.store (local.get $out) (local.get $v)))
        (else (v128.store32_lane 0 (local.get $out) (local.get $v))))
      (local.set $x (i32.add (local.get $x) (local.get $st)))
      (local.set $out (i32.add (local.get $out) (local.get $st)))
      (br $l))))

  ;; Horizontal sum of four lanes, in a fixed order.
  (func $hsum (param $v v128) (result f32)
    (f32.add (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
             (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; softmax(scale · x) along rows of n: for each of `rows` rows, the max, then e = exp(scale·x − max)
  ;; written to out while summed (four partial sums), then out *= 1/sum. A NaN makes its row NaN
  ;; (pmax skips it in the max, but its exp is NaN, and so is the sum).
  (func $softmax_rows (param $x i32) (param $out i32) (param $rows i32) (param $n i32) (param $scale f32)
    (local $end i32) (local $p i32) (local $q i32) (local $vs v128) (local $m v128) (local $acc v128) (local $e v128)
    (local $mx f32) (local $tail i32)
    (local $a v128) (local $ak v128) (local $ar v128) (local $ay v128) (local $ar2 v128)
    (local $b v128) (local $bk v128) (local $br v128) (local $by v128) (local $br2 v128)
    (if (i32.eqz (i32.mul (local.get $rows) (local.get $n))) (then (return)))
    (local.set $vs (f32x4.splat (local.get $scale)))
    (local.set $tail (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))   ;; bytes in full groups
    (loop $r
      (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
      ;; max: lanes start at the row's first value (never a padding zero)
      (local.set $m (f32x4.splat (f32.mul (f32.load (local.get $x)) (local.get $scale))))
      (local.set $p (local.get $x))
      ;; eight at a time while they last (half the loop overhead a float), then four
      (block $d0 (loop $l0
        (br_if $d0 (i32.gt_u (i32.add (local.get $p) (i32.const 32)) (i32.add (local.get $x) (local.get $tail))))
        (local.set $m (f32x4.pmax (f32x4.pmax (local.get $m) (f32x4.mul (v128.load (local.get $p)) (local.get $vs)))
                                  (f32x4.mul (v128.load offset=16 (local.get $p)) (local.get $vs))))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (br $l0)))
      (block $d1 (loop $l1
        (br_if $d1 (i32.ge_u (local.get $p) (i32.add (local.get $x) (local.get $tail))))
        (local.set $m (f32x4.pmax (local.get $m) (f32x4.mul (v128.load (local.get $p)) (local.get $vs))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $l1)))
      (block $d2 (loop $l2
        (br_if $d2 (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $m (f32x4.pmax (local.get $m) (f32x4.mul (v128.load32_splat (local.get $p)) (local.get $vs))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $l2)))
      (local.set $mx (f32.max (f32.max (f32x4.extract_lane 0 (local.get $m)) (f32x4.extract_lane 1 (local.get $m)))
                              (f32.max (f32x4.extract_lane 2 (local.get $m)) (f32x4.extract_lane 3 (local.get $m)))))
      (local.set $m (f32x4.splat (local.get $mx)))
      ;; exps and their sum
      (local.set $acc (v128.const f32x4 0 0 0 0))
      (local.set $p (local.get $x))
      (local.set $q (local.get $out))
      ;; eight at a time, the two exps interleaved (independent chains keep the core busy); the
      ;; arguments are <= 0 here (x − max), so only the lower clamp is needed
      (block $d8 (loop $l8
        (br_if $d8 (i32.gt_u (i32.add (local.get $p) (i32.const 32)) (i32.add (local.get $x) (local.get $tail))))
        (local.set $a (f32x4.sub (f32x4.mul (v128.load (local.get $p)) (local.get $vs)) (local.get $m)))
        (local.set $b (f32x4.sub (f32x4.mul (v128.load offset=16 (local.get $p)) (local.get $vs)) (local.get $m)))
        (local.set $a (f32x4.pmax (local.get $a) (v128.const f32x4 -87.33654 -87.33654 -87.33654 -87.33654)))
        (local.set $b (f32x4.pmax (local.get $b) (v128.const f32x4 -87.33654 -87.33654 -87.33654 -87.33654)))
        (local.set $ay (f32x4.add (f32x4.mul (local.get $a) (v128.const f32x4 1.44269504 1.44269504 1.44269504 1.44269504)) (v128.const f32x4 12582912 12582912 12582912 12582912)))
        (local.set $by (f32x4.add (f32x4.mul (local.get $b) (v128.const f32x4 1.44269504 1.44269504 1.44269504 1.44269504)) (v128.const f32x4 12582912 12582912 12582912 12582912)))
        (local.set $ak (f32x4.sub (local.get $ay) (v128.const f32x4 12582912 12582912 12582912 12582912)))
        (local.set $bk (f32x4.sub (local.get $by) (v128.const f32x4 12582912 12582912 12582912 12582912)))
        (local.set $ar (f32x4.sub (f32x4.sub (local.get $a) (f32x4.mul (local.get $ak) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))) (f32x4.mul (local.get $ak) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
        (local.set $br (f32x4.sub (f32x4.sub (local.get $b) (f32x4.mul (local.get $bk) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))) (f32x4.mul (local.get $bk) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
        (local.set $ak (i32x4.shl (i32x4.add (local.get $ay) (v128.const i32x4 -1262485377 -1262485377 -1262485377 -1262485377)) (i32.const 23)))
        (local.set $bk (i32x4.shl (i32x4.add (local.get $by) (v128.const i32x4 -1262485377 -1262485377 -1262485377 -1262485377)) (i32.const 23)))
        (local.set $ar2 (f32x4.mul (local.get $ar) (local.get $ar)))
        (local.set $br2 (f32x4.mul (local.get $br) (local.get $br)))
        (local.set $ay (f32x4.add (f32x4.add (v128.const f32x4 0.9999997019767761 0.9999997019767761 0.9999997019767761 0.9999997019767761) (f32x4.mul (local.get $ar) (v128.const f32x4 0.4999915063381195 0.4999915063381195 0.4999915063381195 0.4999915063381195))) (f32x4.mul (local.get $ar2) (f32x4.add (v128.const f32x4 0.1666763573884964 0.1666763573884964 0.1666763573884964 0.1666763573884964) (f32x4.mul (local.get $ar) (v128.const f32x4 0.04189793020486832 0.04189793020486832 0.04189793020486832 0.04189793020486832))))))
        (local.set $by (f32x4.add (f32x4.add (v128.const f32x4 0.9999997019767761 0.9999997019767761 0.9999997019767761 0.9999997019767761) (f32x4.mul (local.get $br) (v128.const f32x4 0.4999915063381195 0.4999915063381195 0.4999915063381195 0.4999915063381195))) (f32x4.mul (local.get $br2) (f32x4.add (v128.const f32x4 0.1666763573884964 0.1666763573884964 0.1666763573884964 0.1666763573884964) (f32x4.mul (local.get $br) (v128.const f32x4 0.04189793020486832 0.04189793020486832 0.04189793020486832 0.04189793020486832))))))
        (local.set $ay (f32x4.add (local.get $ay) (f32x4.mul (f32x4.mul (local.get $ar2) (local.get $ar2)) (v128.const f32x4 0.008290314115583897 0.008290314115583897 0.008290314115583897 0.008290314115583897))))
        (local.set $by (f32x4.add (local.get $by) (f32x4.mul (f32x4.mul (local.get $br2) (local.get $br2)) (v128.const f32x4 0.008290314115583897 0.008290314115583897 0.008290314115583897 0.008290314115583897))))
        (local.set $a (f32x4.mul (f32x4.add (f32x4.mul (local.get $ay) (local.get $ar)) (v128.const f32x4 1 1 1 1)) (local.get $ak)))
        (local.set $b (f32x4.mul (f32x4.add (f32x4.mul (local.get $by) (local.get $br)) (v128.const f32x4 1 1 1 1)) (local.get $bk)))
        (v128.store (local.get $q) (local.get $a))
        (v128.store offset=16 (local.get $q) (local.get $b))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.add (local.get $a) (local.get $b))))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (local.set $q (i32.add (local.get $q) (i32.const 32)))
        (br $l8)))
      (block $d3 (loop $l3
        (br_if $d3 (i32.ge_u (local.get $p) (i32.add (local.get $x) (local.get $tail))))
        (local.set $e (call $exp4 (f32x4.sub (f32x4.mul (v128.load (local.get $p)) (local.get $vs)) (local.get $m))))
        (v128.store (local.get $q) (local.get $e))
        (local.set $acc (f32x4.add (local.get $acc) (local.get $e)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (br $l3)))
      (block $d4 (loop $l4
        (br_if $d4 (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $e (call $exp4 (f32x4.sub (f32x4.mul (v128.load32_zero (local.get $p)) (local.get $vs)) (local.get $m))))
        (local.set $e (v128.and (local.get $e) (v128.const i32x4 -1 0 0 0)))
        (v128.store32_lane 0 (local.get $q) (local.get $e))
        (local.set $acc (f32x4.add (local.get $acc) (local.get $e)))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $q (i32.add (local.get $q) (i32.const 4)))
        (br $l4)))
      (local.set $e (f32x4.splat (f32.div (f32.const 1) (call $hsum (local.get $acc)))))
      ;; scale by 1/sum
      (local.set $q (local.get $out))
      (block $d7 (loop $l7
        (br_if $d7 (i32.gt_u (i32.add (local.get $q) (i32.const 32)) (i32.add (local.get $out) (local.get $tail))))
        (v128.store (local.get $q) (f32x4.mul (v128.load (local.get $q)) (local.get $e)))
        (v128.store offset=16 (local.get $q) (f32x4.mul (v128.load offset=16 (local.get $q)) (local.get $e)))
        (local.set $q (i32.add (local.get $q) (i32.const 32)))
        (br $l7)))
      (block $d5 (loop $l5
        (br_if $d5 (i32.ge_u (local.get $q) (i32.add (local.get $out) (local.get $tail))))
        (v128.store (local.get $q) (f32x4.mul (v128.load (local.get $q)) (local.get $e)))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (br $l5)))
      (block $d6 (loop $l6
        (br_if $d6 (i32.ge_u (local.get $q) (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2)))))
        (f32.store (local.get $q) (f32.mul (f32.load (local.get $q)) (f32x4.extract_lane 0 (local.get $e))))
        (local.set $q (i32.add (local.get $q) (i32.const 4)))
        (br $l6)))
      (local.set $x (local.get $end))
      (local.set $out (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))))
      (br_if $r (local.tee $rows (i32.sub (local.get $rows) (i32.const 1))))))

  ;; The softmax's backward along rows of n: dx = scale · y · (g − Σ g·y), the dot product in
  ;; four partial sums. (y = 0 where a mask excluded a position, so those get 0.)
  (func $softmax_back_rows (param $y i32) (param $g i32) (param $out i32) (param $rows i32) (param $n i32) (param $scale f32)
    (local $i i32) (local $len i32) (local $tail i32) (local $acc v128) (local $d v128) (local $vs v128)
    (if (i32.eqz (i32.mul (local.get $rows) (local.get $n))) (then (return)))
    (local.set $vs (f32x4.splat (local.get $scale)))
    (local.set $len (i32.shl (local.get $n) (i32.const 2)))
    (local.set $tail (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (loop $r
      (local.set $acc (v128.const f32x4 0 0 0 0))
      (local.set $i (i32.const 0))
      (block $d1 (loop $l1
        (br_if $d1 (i32.ge_u (local.get $i) (local.get $tail)))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load (i32.add (local.get $y) (local.get $i))) (v128.load (i32.add (local.get $g) (local.get $i))))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $l1)))
      (block $d2 (loop $l2
        (br_if $d2 (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load32_zero (i32.add (local.get $y) (local.get $i))) (v128.load32_zero (i32.add (local.get $g) (local.get $i))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $l2)))
      (local.set $d (f32x4.splat (call $hsum (local.get $acc))))
      (local.set $i (i32.const 0))
      (block $d3 (loop $l3
        (br_if $d3 (i32.ge_u (local.get $i) (local.get $tail)))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.mul (f32x4.mul (v128.load (i32.add (local.get $y) (local.get $i))) (local.get $vs))
                     (f32x4.sub (v128.load (i32.add (local.get $g) (local.get $i))) (local.get $d))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $l3)))
      (block $d4 (loop $l4
        (br_if $d4 (i32.ge_u (local.get $i) (local.get $len)))
        (v128.store32_lane 0 (i32.add (local.get $out) (local.get $i))
          (f32x4.mul (f32x4.mul (v128.load32_zero (i32.add (local.get $y) (local.get $i))) (local.get $vs))
                     (f32x4.sub (v128.load32_zero (i32.add (local.get $g) (local.get $i))) (local.get $d))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $l4)))
      (local.set $y (i32.add (local.get $y) (local.get $len)))
      (local.set $g (i32.add (local.get $g) (local.get $len)))
      (local.set $out (i32.add (local.get $out) (local.get $len)))
      (br_if $r (local.tee $rows (i32.sub (local.get $rows) (i32.const 1))))))

  ;; Layer norm along rows of n: mean, then the biased variance of x − mean (four partial sums
  ;; each), then out = (x − mean) · 1/√(var + eps) · w + b, w (flags bit 0) and b (bit 1) [n].
  (func $layernorm (param $x i32) (param $w i32) (param $b i32) (param $out i32) (param $rows i32) (param $n i32)
                   (param $eps f32) (param $flags i32)
    (local $i i32) (local $len i32) (local $tail i32) (local $acc v128) (local $mu v128) (local $rs v128) (local $v v128)
    (local $t f32)
    (if (i32.eqz (i32.mul (local.get $rows) (local.get $n))) (then (return)))
    (local.set $len (i32.shl (local.get $n) (i32.const 2)))
    (local.set $tail (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (loop $r
      ;; the mean
      (local.set $acc (v128.const f32x4 0 0 0 0))
      (local.set $i (i32.const 0))
      (block $d1 (loop $l1
        (br_if $d1 (i32.ge_u (local.get $i) (local.get $tail)))
        (local.set $acc (f32x4.add (local.get $acc) (v128.load (i32.add (local.get $x) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $l1)))
      (block $d2 (loop $l2
        (br_if $d2 (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $acc (f32x4.add (local.get $acc) (v128.load32_zero (i32.add (local.get $x) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $l2)))
      (local.set $mu (f32x4.splat (f32.div (call $hsum (local.get $acc)) (f32.convert_i32_u (local.get $n)))))
      ;; the variance
      (local.set $acc (v128.const f32x4 0 0 0 0))
      (local.set $i (i32.const 0))
      (block $d3 (loop $l3
        (br_if $d3 (i32.ge_u (local.get $i) (local.get $tail)))
        (local.set $v (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $i))) (local.get $mu)))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $v) (local.get $v))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $l3)))
      (block $d4 (loop $l4
        (br_if $d4 (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $t (f32.sub (f32.load (i32.add (local.get $x) (local.get $i))) (f32x4.extract_lane 0 (local.get $mu))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.replace_lane 0 (v128.const f32x4 0 0 0 0) (f32.mul (local.get $t) (local.get $t)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $l4)))
      (local.set $rs (f32x4.splat (f32.div (f32.const 1) (f32.sqrt (f32.add (f32.div (call $hsum (local.get $acc)) (f32.convert_i32_u (local.get $n))) (local.get $eps))))))
      ;; the output
      (local.set $i (i32.const 0))
      (block $d5 (loop $l5
        (br_if $d5 (i32.ge_u (local.get $i) (local.get $len)))
        (if (i32.lt_u (local.get $i) (local.get $tail))
          (then (local.set $v (v128.load (i32.add (local.get $x) (local.get $i)))))
          (else (local.set $v (v128.load32_zero (i32.add (local.get $x) (local.get $i))))))
        (local.set $v (f32x4.mul (f32x4.sub (local.get $v) (local.get $mu)) (local.get $rs)))
        (if (i32.and (local.get $flags) (i32.const 1)) (then
          (if (i32.lt_u (local.get $i) (local.get $tail))
            (then (local.set $v (f32x4.mul (local.get $v) (v128.load (i32.add (local.get $w) (local.get $i))))))
            (else (local.set $v (f32x4.mul (local.get $v) (v128.load32_zero (i32.add (local.get $w) (local.get $i)))))))))
        (if (i32.and (local.get $flags) (i32.const 2)) (then
          (if (i32.lt_u (local.get $i) (local.get $tail))
            (then (local.set $v (f32x4.add (local.get $v) (v128.load (i32.add (local.get $b) (local.get $i))))))
            (else (local.set $v (f32x4.add (local.get $v) (v128.load32_zero (i32.add (local.get $b) (local.get $i)))))))))
        (if (i32.lt_u (local.get $i) (local.get $tail))
          (then (v128.store (i32.add (local.get $out) (local.get $i)) (local.get $v))
                (local.set $i (i32.add (local.get $i) (i32.const 16))))
          (else (v128.store32_lane 0 (i32.add (local.get $out) (local.get $i)) (local.get $v))
                (local.set $i (i32.add (local.get $i) (i32.const 4)))))
        (br $l5)))
      (local.set $x (i32.add (local.get $x) (local.get $len)))
      (local.set $out (i32.add (local.get $out) (local.get $len)))
      (br_if $r (local.tee $rows (i32.sub (local.get $rows) (i32.const 1))))))

  ;; Lanes of a mask vector that do not exclude their position (mask == 0), as all-ones lanes;
  ;; the mask is int32 when $int, else float32 (where −0 is 0 and NaN excludes, as in JS).
  (func $kept4 (param $mv v128) (param $int i32) (result v128)
    (if (result v128) (local.get $int)
      (then (i32x4.eq (local.get $mv) (v128.const i32x4 0 0 0 0)))
      (else (f32x4.eq (local.get $mv) (v128.const f32x4 0 0 0 0)))))

  ;; Masked softmax(scale · x) along rows of n, as maskedSoftmaxInto in reduce.ts: row r's mask
  ;; row starts at element moffs[r] of `mask` (contiguous along the row; int32 when $int); an
  ;; excluded position gets exactly 0, an all-excluded row is all zeros. Max over the kept values,
  ;; exps of the kept ones summed (four partial sums), then out *= 1/sum on the kept positions.
  (func $masked_softmax_rows (param $x i32) (param $out i32) (param $rows i32) (param $n i32) (param $scale f32)
                             (param $mask i32) (param $moffs i32) (param $int i32)
    (local $i i32) (local $len i32) (local $tail i32) (local $mr i32) (local $vs v128) (local $m v128) (local $acc v128)
    (local $any v128) (local $k v128) (local $v v128) (local $rcp v128)
    (if (i32.eqz (i32.mul (local.get $rows) (local.get $n))) (then (return)))
    (local.set $vs (f32x4.splat (local.get $scale)))
    (local.set $len (i32.shl (local.get $n) (i32.const 2)))
    (local.set $tail (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (loop $r
      (local.set $mr (i32.add (local.get $mask) (i32.shl (i32.load (local.get $moffs)) (i32.const 2))))
      ;; the max of the kept values (excluded lanes read as −inf), and whether any is kept
      (local.set $m (v128.const f32x4 -inf -inf -inf -inf))
      (local.set $any (v128.const i32x4 0 0 0 0))
      (local.set $i (i32.const 0))
      (block $d1 (loop $l1
        (br_if $d1 (i32.ge_u (local.get $i) (local.get $len)))
        (if (i32.lt_u (local.get $i) (local.get $tail))
          (then (local.set $k (call $kept4 (v128.load (i32.add (local.get $mr) (local.get $i))) (local.get $int)))
                (local.set $v (v128.load (i32.add (local.get $x) (local.get $i)))))
          (else (local.set $k (call $kept4 (v128.load32_splat (i32.add (local.get $mr) (local.get $i))) (local.get $int)))
                (local.set $v (v128.load32_splat (i32.add (local.get $x) (local.get $i))))))
        (local.set $m (f32x4.pmax (local.get $m)
          (v128.bitselect (f32x4.mul (local.get $v) (local.get $vs)) (v128.const f32x4 -inf -inf -inf -inf) (local.get $k))))
        (local.set $any (v128.or (local.get $any) (local.get $k)))
        (local.set $i (i32.add (local.get $i) (select (i32.const 16) (i32.const 4) (i32.lt_u (local.get $i) (local.get $tail)))))
        (br $l1)))
      (if (v128.any_true (local.get $any))
        (then
          (local.set $m (f32x4.splat (f32.max (f32.max (f32x4.extract_lane 0 (local.get $m)) (f32x4.extract_lane 1 (local.get $m)))
                                              (f32.max (f32x4.extract_lane 2 (local.get $m)) (f32x4.extract_lane 3 (local.get $m))))))
          ;; exps of the kept values (0 elsewhere), summed
          (local.set $acc (v128.const f32x4 0 0 0 0))
          (local.set $i (i32.const 0))
          (block $d2 (loop $l2
            (br_if $d2 (i32.ge_u (local.get $i) (local.get $len)))
            (if (i32.lt_u (local.get $i) (local.get $tail))
              (then
                (local.set $k (call $kept4 (v128.load (i32.add (local.get $mr) (local.get $i))) (local.get $int)))
                (local.set $v (v128.and (local.get $k)
                  (call $exp4 (f32x4.sub (f32x4.mul (v128.load (i32.add (local.get $x) (local.get $i))) (local.get $vs)) (local.get $m)))))
                (v128.store (i32.add (local.get $out) (local.get $i)) (local.get $v))
                (local.set $i (i32.add (local.get $i) (i32.const 16))))
              (else
                (local.set $k (v128.and (v128.const i32x4 -1 0 0 0)
                  (call $kept4 (v128.load32_splat (i32.add (local.get $mr) (local.get $i))) (local.get $int))))
                (local.set $v (v128.and (local.get $k)
                  (call $exp4 (f32x4.sub (f32x4.mul (v128.load32_splat (i32.add (local.get $x) (local.get $i))) (local.get $vs)) (local.get $m)))))
                (v128.store32_lane 0 (i32.add (local.get $out) (local.get $i)) (local.get $v))
                (local.set $i (i32.add (local.get $i) (i32.const 4)))))
            (local.set $acc (f32x4.add (local.get $acc) (local.get $v)))
            (br $l2)))
          (local.set $rcp (f32x4.splat (f32.div (f32.const 1) (call $hsum (local.get $acc)))))
          ;; scale the kept positions (an excluded one stays 0 even when the sum is NaN)
          (local.set $i (i32.const 0))
          (block $d3 (loop $l3
            (br_if $d3 (i32.ge_u (local.get $i) (local.get $len)))
            (if (i32.lt_u (local.get $i) (local.get $tail))
              (then
                (local.set $k (call $kept4 (v128.load (i32.add (local.get $mr) (local.get $i))) (local.get $int)))
                (v128.store (i32.add (local.get $out) (local.get $i))
                  (v128.and (local.get $k) (f32x4.mul (v128.load (i32.add (local.get $out) (local.get $i))) (local.get $rcp))))
                (local.set $i (i32.add (local.get $i) (i32.const 16))))
              (else
                (local.set $k (call $kept4 (v128.load32_splat (i32.add (local.get $mr) (local.get $i))) (local.get $int)))
                (v128.store32_lane 0 (i32.add (local.get $out) (local.get $i))
                  (v128.and (local.get $k) (f32x4.mul (v128.load32_splat (i32.add (local.get $out) (local.get $i))) (local.get $rcp))))
                (local.set $i (i32.add (local.get $i) (i32.const 4)))))
            (br $l3))))
        (else (memory.fill (local.get $out) (i32.const 0) (local.get $len))))
      (local.set $x (i32.add (local.get $x) (local.get $len)))
      (local.set $out (i32.add (local.get $out) (local.get $len)))
      (local.set $moffs (i32.add (local.get $moffs) (i32.const 4)))
      (br_if $r (local.tee $rows (i32.sub (local.get $rows) (i32.const 1))))))

  ;; Embedding gradients: out[idx[j]][c] += src[j][c] for j in [0, m), c in [0, width), after
  ;; zeroing out's `len` rows over those columns; rows are `pitch` floats apart on both sides
  ;; (the commands split the columns, so each sum runs in j order on any thread count). The
  ;; indices were checked against len by the caller.
  (func $scatter_add (param $src i32) (param $idx i32) (param $m i32) (param $pitch i32) (param $width i32)
                     (param $out i32) (param $len i32)
    (local $r i32) (local $i i32) (local $d i32) (local $s i32) (local $wb i32) (local $tail i32) (local $pb i32)
    (local.set $wb (i32.shl (local.get $width) (i32.const 2)))
    (local.set $pb (i32.shl (local.get $pitch) (i32.const 2)))
    (local.set $tail (i32.shl (i32.and (local.get $width) (i32.const -4)) (i32.const 2)))
    (block $z (loop $lz
      (br_if $z (i32.ge_u (local.get $r) (local.get $len)))
      (memory.fill (i32.add (local.get $out) (i32.mul (local.get $r) (local.get $pb))) (i32.const 0) (local.get $wb))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $lz)))
    (local.set $r (i32.const 0))
    (block $done (loop $lj
      (br_if $done (i32.ge_u (local.get $r) (local.get $m)))
      (local.set $d (i32.add (local.get $out) (i32.mul (i32.load (i32.add (local.get $idx) (i32.shl (local.get $r) (i32.const 2)))) (local.get $pb))))
      (local.set $s (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $pb))))
      (local.set $i (i32.const 0))
      (block $d1 (loop $l1
        (br_if $d1 (i32.ge_u (local.get $i) (local.get $tail)))
        (v128.store (i32.add (local.get $d) (local.get $i))
          (f32x4.add (v128.load (i32.add (local.get $d) (local.get $i))) (v128.load (i32.add (local.get $s) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $l1)))
      (block $d2 (loop $l2
        (br_if $d2 (i32.ge_u (local.get $i) (local.get $wb)))
        (f32.store (i32.add (local.get $d) (local.get $i))
          (f32.add (f32.load (i32.add (local.get $d) (local.get $i))) (f32.load (i32.add (local.get $s) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $l2)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $lj))))

  ;; ---- depthwise convolution (groups = channels) ------------------------------------------
  ;; Three commands ($dw_forward, $dw_backward_input, $dw_backward_filter), each over a range of
  ;; channel groups of four, picking by the layer's geometry: MobileNet's 3×3 layers with padding 1
  ;; run on the NCHW planes themselves, one channel at a time, SIMD over output columns
  ;; ($dw_s1_cols, $dw_s2_cols, $dw_s2_4x4); 2×2 and 1×1 planes as one vector a plane or a group
  ;; ($dw_tiny_mat, $dw_tiny_dot, $dw_pointwise); the filter gradient of the stride-1 layers of
  ;; width 8k likewise ($dw_bfil_s1_cols). Everything else:
  ;; SIMD over four channels: per (4-channel group, image) the four NCHW planes are interleaved
  ;; into a channels-last scratch plane [H·W][4] (one vector a pixel), the taps run on vectors,
  ;; and the result is split back into its four planes. This serves the tiny planes (1×1, 2×2,
  ;; where SIMD over columns has nothing to chew on) and stride 2 alike. Each lane's channel is
  ;; clamped to the last one, so a last group of 1-3 channels repeats its last channel in the
  ;; spare lanes: they compute the very values of that lane and store them to the same place.
  ;; Lane l of the group at g is output channel min(g + l, O - 1) (forward, filter gradient) or
  ;; input channel min(g + l, C - 1) (input gradient); output channel oc reads input oc / mult.
  ;; The table written by depthwise.ts starts with an 8-int header [Hp, Wp, padH, padW, XS] (the
  ;; padded plane's size, see $dw_gather_rows; XS: the vectors xs spans), then gives, per output row oy,
  ;; [kyLo, kyHi, iy0] (the taps whose input row iy0 + ky·dh is in bounds), per output column
  ;; [kxLo, kxHi, ix0], then per ky [oyLo, oyHi] and per kx [oxLo, oxHi] (the outputs a tap reads
  ;; in bounds): 12-byte rows for oy, then ox, then 8-byte rows for ky, then kx; then, per output
  ;; pixel, KH·KW byte offsets into xs of the pixel each tap reads, or of xs's spare vector when the
  ;; tap is in the padding (an indirection, as XNNPACK has). With a 3×3 kernel the weights live in
  ;; registers: a window wholly in bounds at dilation 1 (the interior of MobileNet's layers) reads
  ;; its nine taps at fixed offsets, a border window through the indirection (the spare vector is
  ;; zero for the forward pass, a dump for the input gradient's scatter); other kernels loop over
  ;; the in-bounds taps. A 1×1 plane with multiplier 1 (MobileNet's last layers) is one multiply a
  ;; vector: there a group of four channels is one vector of each image, with no interleaving.
  ;; Scratch (per thread): xs [XS] vectors, ys [OH·OW], wv [KH·KW·mult], then KH·KW·2 f64x2.
  ;; Each thread gets whole groups and walks its images in order, so nothing depends on the split.

  ;; dst[p] = (s0[p], s1[p], s2[p], s3[p]) for p in [0, n): four rows of floats as n vectors.
  ;; Four consecutive one-float rows (a 1×1 plane) are one vector load.
  (func $dw_gather (param $s0 i32) (param $s1 i32) (param $s2 i32) (param $s3 i32) (param $dst i32) (param $n i32)
    (local $end i32) (local $end4 i32) (local $cs i32) (local $v v128)
    (if (i32.and (i32.eq (local.get $n) (i32.const 1))
          (i32.and (i32.eq (local.get $s1) (i32.add (local.get $s0) (i32.const 4)))
            (i32.and (i32.eq (local.get $s2) (i32.add (local.get $s0) (i32.const 8)))
                     (i32.eq (local.get $s3) (i32.add (local.get $s0) (i32.const 12))))))
      (then (v128.store (local.get $dst) (v128.load (local.get $s0))) (return)))
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $n) (i32.const 4))))
    ;; Equally spaced rows (whole groups of channels): 4x4 blocks transposed in registers.
    (local.set $cs (i32.sub (local.get $s1) (local.get $s0)))
    (if (i32.and (i32.eq (i32.sub (local.get $s2) (local.get $s1)) (local.get $cs)) (i32.eq (i32.sub (local.get $s3) (local.get $s2)) (local.get $cs)))
      (then
        (local.set $end4 (i32.add (local.get $dst) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 4))))
        (block $tdone (loop $t
          (br_if $tdone (i32.ge_u (local.get $dst) (local.get $end4)))
          (call $transpose4 (local.get $s0) (local.get $cs) (local.get $dst) (i32.const 16))
          (local.set $s0 (i32.add (local.get $s0) (i32.const 16)))
          (local.set $s1 (i32.add (local.get $s1) (i32.const 16)))
          (local.set $s2 (i32.add (local.get $s2) (i32.const 16)))
          (local.set $s3 (i32.add (local.get $s3) (i32.const 16)))
          (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
          (br $t)))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $dst) (local.get $end)))
      (local.set $v (v128.load32_zero (local.get $s0)))
      (local.set $v (v128.load32_lane 1 (local.get $s1) (local.get $v)))
      (local.set $v (v128.load32_lane 2 (local.get $s2) (local.get $v)))
      (local.set $v (v128.load32_lane 3 (local.get $s3) (local.get $v)))
      (v128.store (local.get $dst) (local.get $v))
      (local.set $s0 (i32.add (local.get $s0) (i32.const 4)))
      (local.set $s1 (i32.add (local.get $s1) (i32.const 4)))
      (local.set $s2 (i32.add (local.get $s2) (i32.const 4)))
      (local.set $s3 (i32.add (local.get $s3) (i32.const 4)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (br $l))))

  ;; The inverse: lane l of src[p] to d_l[p], for p in [0, n).
  (func $dw_scatter (param $src i32) (param $d0 i32) (param $d1 i32) (param $d2 i32) (param $d3 i32) (param $n i32)
    (local $end i32) (local $end4 i32) (local $cs i32) (local $v v128)
    (if (i32.and (i32.eq (local.get $n) (i32.const 1))
          (i32.and (i32.eq (local.get $d1) (i32.add (local.get $d0) (i32.const 4)))
            (i32.and (i32.eq (local.get $d2) (i32.add (local.get $d0) (i32.const 8)))
                     (i32.eq (local.get $d3) (i32.add (local.get $d0) (i32.const 12))))))
      (then (v128.store (local.get $d0) (v128.load (local.get $src))) (return)))
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 4))))
    (local.set $cs (i32.sub (local.get $d1) (local.get $d0)))
    (if (i32.and (i32.eq (i32.sub (local.get $d2) (local.get $d1)) (local.get $cs)) (i32.eq (i32.sub (local.get $d3) (local.get $d2)) (local.get $cs)))
      (then
        (local.set $end4 (i32.add (local.get $src) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 4))))
        (block $tdone (loop $t
          (br_if $tdone (i32.ge_u (local.get $src) (local.get $end4)))
          (call $transpose4 (local.get $src) (i32.const 16) (local.get $d0) (local.get $cs))
          (local.set $d0 (i32.add (local.get $d0) (i32.const 16)))
          (local.set $d1 (i32.add (local.get $d1) (i32.const 16)))
          (local.set $d2 (i32.add (local.get $d2) (i32.const 16)))
          (local.set $d3 (i32.add (local.get $d3) (i32.const 16)))
          (local.set $src (i32.add (local.get $src) (i32.const 64)))
          (br $t)))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
      (local.set $v (v128.load (local.get $src)))
      (v128.store32_lane 0 (local.get $d0) (local.get $v))
      (v128.store32_lane 1 (local.get $d1) (local.get $v))
      (v128.store32_lane 2 (local.get $d2) (local.get $v))
      (v128.store32_lane 3 (local.get $d3) (local.get $v))
      (local.set $d0 (i32.add (local.get $d0) (i32.const 4)))
      (local.set $d1 (i32.add (local.get $d1) (i32.const 4)))
      (local.set $d2 (i32.add (local.get $d2) (i32.const 4)))
      (local.set $d3 (i32.add (local.get $d3) (i32.const 4)))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (br $l))))

  ;; Zero n vectors at p.
  (func $dw_zero (param $p i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 4))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (v128.store (local.get $p) (v128.const i32x4 0 0 0 0))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br $l))))

  (func $imin (param $a i32) (param $b i32) (result i32)
    (select (local.get $a) (local.get $b) (i32.lt_s (local.get $a) (local.get $b))))

  ;; The padded layout (3×3 kernels at dilation 1): xs is a zero-bordered plane of Hp × Wp vectors
  ;; (the table's header gives Hp, Wp and the padding), so every window is whole and runs the
  ;; nine fixed-offset taps; the image goes into its interior row by row.
  (func $dw_gather_rows (param $s0 i32) (param $s1 i32) (param $s2 i32) (param $s3 i32) (param $dst i32)
                        (param $h i32) (param $w i32) (param $wp i32)
    (local $i i32) (local $sb i32) (local $db i32) (local $cs i32) (local $j i32) (local $src i32) (local $d i32)
    (local.set $sb (i32.shl (local.get $w) (i32.const 2)))
    (local.set $db (i32.shl (local.get $wp) (i32.const 4)))
    ;; Whole groups with rows of 4k pixels (16×16, 8×8, 4×4 planes): straight to the transposes.
    (local.set $cs (i32.sub (local.get $s1) (local.get $s0)))
    (if (i32.and (i32.eqz (i32.and (local.get $w) (i32.const 3)))
          (i32.and (i32.eq (i32.sub (local.get $s2) (local.get $s1)) (local.get $cs)) (i32.eq (i32.sub (local.get $s3) (local.get $s2)) (local.get $cs))))
      (then
        (block $rdone (loop $r
          (br_if $rdone (i32.ge_u (local.get $i) (local.get $h)))
          (local.set $src (local.get $s0))
          (local.set $d (local.get $dst))
          (local.set $j (i32.const 0))
          (loop $c
            (call $transpose4 (local.get $src) (local.get $cs) (local.get $d) (i32.const 16))
            (local.set $src (i32.add (local.get $src) (i32.const 16)))
            (local.set $d (i32.add (local.get $d) (i32.const 64)))
            (br_if $c (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 4))) (local.get $w))))
          (local.set $s0 (i32.add (local.get $s0) (local.get $sb)))
          (local.set $dst (i32.add (local.get $dst) (local.get $db)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $r)))
        (return)))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $h)))
      (call $dw_gather (local.get $s0) (local.get $s1) (local.get $s2) (local.get $s3) (local.get $dst) (local.get $w))
      (local.set $s0 (i32.add (local.get $s0) (local.get $sb)))
      (local.set $s1 (i32.add (local.get $s1) (local.get $sb)))
      (local.set $s2 (i32.add (local.get $s2) (local.get $sb)))
      (local.set $s3 (i32.add (local.get $s3) (local.get $sb)))
      (local.set $dst (i32.add (local.get $dst) (local.get $db)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))

  (func $dw_scatter_rows (param $src i32) (param $d0 i32) (param $d1 i32) (param $d2 i32) (param $d3 i32)
                         (param $h i32) (param $w i32) (param $wp i32)
    (local $i i32) (local $db i32) (local $sb i32) (local $cs i32) (local $j i32) (local $s i32) (local $d i32)
    (local.set $db (i32.shl (local.get $w) (i32.const 2)))
    (local.set $sb (i32.shl (local.get $wp) (i32.const 4)))
    (local.set $cs (i32.sub (local.get $d1) (local.get $d0)))
    (if (i32.and (i32.eqz (i32.and (local.get $w) (i32.const 3)))
          (i32.and (i32.eq (i32.sub (local.get $d2) (local.get $d1)) (local.get $cs)) (i32.eq (i32.sub (local.get $d3) (local.get $d2)) (local.get $cs))))
      (then
        (block $rdone (loop $r
          (br_if $rdone (i32.ge_u (local.get $i) (local.get $h)))
          (local.set $s (local.get $src))
          (local.set $d (local.get $d0))
          (local.set $j (i32.const 0))
          (loop $c
            (call $transpose4 (local.get $s) (i32.const 16) (local.get $d) (local.get $cs))
            (local.set $s (i32.add (local.get $s) (i32.const 64)))
            (local.set $d (i32.add (local.get $d) (i32.const 16)))
            (br_if $c (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 4))) (local.get $w))))
          (local.set $d0 (i32.add (local.get $d0) (local.get $db)))
          (local.set $src (i32.add (local.get $src) (local.get $sb)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $r)))
        (return)))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $h)))
      (call $dw_scatter (local.get $src) (local.get $d0) (local.get $d1) (local.get $d2) (local.get $d3) (local.get $w))
      (local.set $d0 (i32.add (local.get $d0) (local.get $db)))
      (local.set $d1 (i32.add (local.get $d1) (local.get $db)))
      (local.set $d2 (i32.add (local.get $d2) (local.get $db)))
      (local.set $d3 (i32.add (local.get $d3) (local.get $db)))
      (local.set $src (i32.add (local.get $src) (local.get $sb)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))

  ;; ys[oy][ox] = the nine taps of the window at (oy·sh, ox·sw) of the padded plane xs (row pitch wp vectors).
  (func $dw_fwd3 (param $xs i32) (param $ys i32) (param $oh i32) (param $ow i32) (param $sh i32) (param $sw i32) (param $wp i32)
                 (param $w0 v128) (param $w1 v128) (param $w2 v128) (param $w3 v128) (param $w4 v128)
                 (param $w5 v128) (param $w6 v128) (param $w7 v128) (param $w8 v128)
    (local $rb i32) (local $row i32) (local $rstep i32) (local $cstep i32) (local $p i32) (local $q i32) (local $yend i32) (local $rend i32)
    (local $acc v128)
    (local.set $rb (i32.shl (local.get $wp) (i32.const 4)))
    (local.set $rstep (i32.mul (local.get $rb) (local.get $sh)))
    (local.set $cstep (i32.shl (local.get $sw) (i32.const 4)))
    (local.set $yend (i32.add (local.get $ys) (i32.shl (i32.mul (local.get $oh) (local.get $ow)) (i32.const 4))))
    (local.set $row (local.get $xs))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $ys) (local.get $yend)))
      (local.set $p (local.get $row))
      (local.set $rend (i32.add (local.get $ys) (i32.shl (local.get $ow) (i32.const 4))))
      (loop $cols
        (local.set $q (i32.add (local.get $p) (local.get $rb)))
        (local.set $acc (f32x4.mul (v128.load offset=0 (local.get $p)) (local.get $w0)))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load offset=16 (local.get $p)) (local.get $w1))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load offset=32 (local.get $p)) (local.get $w2))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load offset=0 (local.get $q)) (local.get $w3))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load offset=16 (local.get $q)) (local.get $w4))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load offset=32 (local.get $q)) (local.get $w5))))
        (local.set $q (i32.add (local.get $q) (local.get $rb)))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load offset=0 (local.get $q)) (local.get $w6))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load offset=16 (local.get $q)) (local.get $w7))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load offset=32 (local.get $q)) (local.get $w8))))
        (v128.store (local.get $ys) (local.get $acc))
        (local.set $p (i32.add (local.get $p) (local.get $cstep)))
        (br_if $cols (i32.lt_u (local.tee $ys (i32.add (local.get $ys) (i32.const 16))) (local.get $rend))))
      (local.set $row (i32.add (local.get $row) (local.get $rstep)))
      (br $rows))))

  ;; The adjoint: each ys[oy][ox] times the nine weights added into its window of the padded plane xs.
  (func $dw_bin3 (param $xs i32) (param $ys i32) (param $oh i32) (param $ow i32) (param $sh i32) (param $sw i32) (param $wp i32)
                 (param $w0 v128) (param $w1 v128) (param $w2 v128) (param $w3 v128) (param $w4 v128)
                 (param $w5 v128) (param $w6 v128) (param $w7 v128) (param $w8 v128)
    (local $rb i32) (local $row i32) (local $rstep i32) (local $cstep i32) (local $p i32) (local $q i32) (local $yend i32) (local $rend i32)
    (local $v v128)
    (local.set $rb (i32.shl (local.get $wp) (i32.const 4)))
    (local.set $rstep (i32.mul (local.get $rb) (local.get $sh)))
    (local.set $cstep (i32.shl (local.get $sw) (i32.const 4)))
    (local.set $yend (i32.add (local.get $ys) (i32.shl (i32.mul (local.get $oh) (local.get $ow)) (i32.const 4))))
    (local.set $row (local.get $xs))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $ys) (local.get $yend)))
      (local.set $p (local.get $row))
      (local.set $rend (i32.add (local.get $ys) (i32.shl (local.get $ow) (i32.const 4))))
      (loop $cols
        (local.set $v (v128.load (local.get $ys)))
        (local.set $q (i32.add (local.get $p) (local.get $rb)))
        (v128.store offset=0 (local.get $p) (f32x4.add (v128.load offset=0 (local.get $p)) (f32x4.mul (local.get $v) (local.get $w0))))
        (v128.store offset=16 (local.get $p) (f32x4.add (v128.load offset=16 (local.get $p)) (f32x4.mul (local.get $v) (local.get $w1))))
        (v128.store offset=32 (local.get $p) (f32x4.add (v128.load offset=32 (local.get $p)) (f32x4.mul (local.get $v) (local.get $w2))))
        (v128.store offset=0 (local.get $q) (f32x4.add (v128.load offset=0 (local.get $q)) (f32x4.mul (local.get $v) (local.get $w3))))
        (v128.store offset=16 (local.get $q) (f32x4.add (v128.load offset=16 (local.get $q)) (f32x4.mul (local.get $v) (local.get $w4))))
        (v128.store offset=32 (local.get $q) (f32x4.add (v128.load offset=32 (local.get $q)) (f32x4.mul (local.get $v) (local.get $w5))))
        (local.set $q (i32.add (local.get $q) (local.get $rb)))
        (v128.store offset=0 (local.get $q) (f32x4.add (v128.load offset=0 (local.get $q)) (f32x4.mul (local.get $v) (local.get $w6))))
        (v128.store offset=16 (local.get $q) (f32x4.add (v128.load offset=16 (local.get $q)) (f32x4.mul (local.get $v) (local.get $w7))))
        (v128.store offset=32 (local.get $q) (f32x4.add (v128.load offset=32 (local.get $q)) (f32x4.mul (local.get $v) (local.get $w8))))
        (local.set $p (i32.add (local.get $p) (local.get $cstep)))
        (br_if $cols (i32.lt_u (local.tee $ys (i32.add (local.get $ys) (i32.const 16))) (local.get $rend))))
      (local.set $row (i32.add (local.get $row) (local.get $rstep)))
      (br $rows))))

  ;; out[b] = src[b] * wv (one vector an image, `step` bytes between images), for b in [0, n): a
  ;; 1×1 plane with multiplier 1, where a group of four channels is one vector of each image.
  (func $dw_pointwise (param $src i32) (param $dst i32) (param $wv v128) (param $n i32) (param $step i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $src) (i32.mul (local.get $n) (local.get $step))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
      (v128.store (local.get $dst) (f32x4.mul (v128.load (local.get $src)) (local.get $wv)))
      (local.set $src (i32.add (local.get $src) (local.get $step)))
      (local.set $dst (i32.add (local.get $dst) (local.get $step)))
      (br $l))))

  ;; The weight vector of the one tap a 1×1 plane's output reads (lanes: four weight rows of kk
  ;; floats from row r0), or zero if every tap hangs in the padding.
  (func $dw_single_tap (param $w i32) (param $r0 i32) (param $kk i32) (param $table i32) (param $oh i32) (param $kw i32) (result v128)
    (local $t i32) (local $p i32) (local $v v128)
    (local.set $t (i32.add (local.get $table) (i32.mul (local.get $oh) (i32.const 12))))
    (if (i32.or (i32.ge_s (i32.load offset=0 (local.get $table)) (i32.load offset=4 (local.get $table)))
                (i32.ge_s (i32.load offset=0 (local.get $t)) (i32.load offset=4 (local.get $t))))
      (then (return (v128.const i32x4 0 0 0 0))))
    (local.set $p (i32.add (local.get $w) (i32.shl (i32.add (i32.mul (local.get $r0) (local.get $kk))
      (i32.add (i32.mul (i32.load offset=0 (local.get $table)) (local.get $kw)) (i32.load offset=0 (local.get $t)))) (i32.const 2))))
    (local.set $v (v128.load32_zero (local.get $p)))
    (local.set $p (i32.add (local.get $p) (i32.shl (local.get $kk) (i32.const 2))))
    (local.set $v (v128.load32_lane 1 (local.get $p) (local.get $v)))
    (local.set $p (i32.add (local.get $p) (i32.shl (local.get $kk) (i32.const 2))))
    (local.set $v (v128.load32_lane 2 (local.get $p) (local.get $v)))
    (local.set $p (i32.add (local.get $p) (i32.shl (local.get $kk) (i32.const 2))))
    (v128.load32_lane 3 (local.get $p) (local.get $v)))

  ;; 2×2 planes (MobileNet's 2×2 layers): each channel's plane is one vector, so no interleaving.
  ;; With one output a plane (stride 2), four channels at once: each plane times the weights of
  ;; the taps that read its pixels (r_l, built from the indirection `ind`), then the four products
  ;; summed across, landing as the four channels' outputs (contiguous: one float a plane).
  (func $dw_tiny_dot (param $x i32) (param $y i32) (param $w i32) (param $ind i32) (param $kk i32)
                     (param $n i32) (param $xstep i32) (param $ystep i32) (param $tmp i32)
    (local $l i32) (local $t i32) (local $off i32) (local $b i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $s01 v128) (local $s23 v128)
    (local $m0 v128) (local $m1 v128) (local $m2 v128) (local $m3 v128)
    (call $dw_zero (local.get $tmp) (i32.const 4))
    (loop $ll
      (local.set $t (i32.const 0))
      (loop $tl
        (local.set $off (i32.load (i32.add (local.get $ind) (i32.shl (local.get $t) (i32.const 2)))))
        (if (i32.ne (local.get $off) (i32.const 64)) (then
          ;; tmp[l][pixel] += w[l][t]
          (local.set $off (i32.add (i32.add (local.get $tmp) (i32.shl (local.get $l) (i32.const 4))) (i32.shr_u (local.get $off) (i32.const 2))))
          (f32.store (local.get $off) (f32.add (f32.load (local.get $off))
            (f32.load (i32.add (local.get $w) (i32.shl (i32.add (i32.mul (local.get $l) (local.get $kk)) (local.get $t)) (i32.const 2))))))))
        (br_if $tl (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 1))) (local.get $kk))))
      (br_if $ll (i32.lt_u (local.tee $l (i32.add (local.get $l) (i32.const 1))) (i32.const 4))))
    (local.set $r0 (v128.load offset=0 (local.get $tmp)))  (local.set $r1 (v128.load offset=16 (local.get $tmp)))
    (local.set $r2 (v128.load offset=32 (local.get $tmp))) (local.set $r3 (v128.load offset=48 (local.get $tmp)))
    (block $done (loop $bl
      (br_if $done (i32.ge_u (local.get $b) (local.get $n)))
      (local.set $m0 (f32x4.mul (v128.load offset=0 (local.get $x)) (local.get $r0)))
      (local.set $m1 (f32x4.mul (v128.load offset=16 (local.get $x)) (local.get $r1)))
      (local.set $m2 (f32x4.mul (v128.load offset=32 (local.get $x)) (local.get $r2)))
      (local.set $m3 (f32x4.mul (v128.load offset=48 (local.get $x)) (local.get $r3)))
      ;; s01 = [m0.0+m0.2, m1.0+m1.2, m0.1+m0.3, m1.1+m1.3], s23 likewise; then across
      (local.set $s01 (f32x4.add (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $m0) (local.get $m1))
                                 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $m0) (local.get $m1))))
      (local.set $s23 (f32x4.add (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $m2) (local.get $m3))
                                 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $m2) (local.get $m3))))
      (v128.store (local.get $y) (f32x4.add (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $s01) (local.get $s23))
                                            (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s01) (local.get $s23))))
      (local.set $x (i32.add (local.get $x) (local.get $xstep)))
      (local.set $y (i32.add (local.get $y) (local.get $ystep)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bl))))

  ;; With 2-4 outputs a plane, one channel at a time: y = M·x for the plane's 4×4 matrix M (column p:
  ;; the weights pixel p meets at each output), as four broadcast multiply-adds. Output channels
  ;; [oc0, oc1); input channel oc / mult.
  (func $dw_tiny_mat (param $x i32) (param $y i32) (param $w i32) (param $ind i32) (param $kk i32)
                     (param $n i32) (param $xstep i32) (param $ystep i32) (param $tmp i32)
                     (param $oc0 i32) (param $oc1 i32) (param $mult i32) (param $ohw i32)
    (local $oc i32) (local $o i32) (local $t i32) (local $off i32) (local $b i32) (local $xp i32) (local $yp i32)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $v v128) (local $acc v128)
    (local.set $oc (local.get $oc0))
    (block $ocdone (loop $ocl
      (br_if $ocdone (i32.ge_u (local.get $oc) (local.get $oc1)))
      (call $dw_zero (local.get $tmp) (i32.const 4))
      (local.set $o (i32.const 0))
      (loop $ol
        (local.set $t (i32.const 0))
        (loop $tl
          (local.set $off (i32.load (i32.add (local.get $ind) (i32.shl (i32.add (i32.mul (local.get $o) (local.get $kk)) (local.get $t)) (i32.const 2)))))
          (if (i32.ne (local.get $off) (i32.const 64)) (then
            ;; tmp[pixel][o] += w[oc][t]
            (local.set $off (i32.add (i32.add (local.get $tmp) (local.get $off)) (i32.shl (local.get $o) (i32.const 2))))
            (f32.store (local.get $off) (f32.add (f32.load (local.get $off))
              (f32.load (i32.add (local.get $w) (i32.shl (i32.add (i32.mul (local.get $oc) (local.get $kk)) (local.get $t)) (i32.const 2))))))))
          (br_if $tl (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 1))) (local.get $kk))))
        (br_if $ol (i32.lt_u (local.tee $o (i32.add (local.get $o) (i32.const 1))) (local.get $ohw))))
      (local.set $c0 (v128.load offset=0 (local.get $tmp)))  (local.set $c1 (v128.load offset=16 (local.get $tmp)))
      (local.set $c2 (v128.load offset=32 (local.get $tmp))) (local.set $c3 (v128.load offset=48 (local.get $tmp)))
      (local.set $xp (i32.add (local.get $x) (i32.shl (i32.div_u (local.get $oc) (local.get $mult)) (i32.const 4))))
      (local.set $yp (i32.add (local.get $y) (i32.shl (i32.mul (local.get $oc) (local.get $ohw)) (i32.const 2))))
      (local.set $b (i32.const 0))
      (block $bdone (loop $bl
        (br_if $bdone (i32.ge_u (local.get $b) (local.get $n)))
        (local.set $v (v128.load (local.get $xp)))
        (local.set $acc (f32x4.mul (local.get $c0) (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $v) (local.get $v))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $c1) (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $v) (local.get $v)))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $c2) (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $v) (local.get $v)))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $c3) (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $v) (local.get $v)))))
        (if (i32.eq (local.get $ohw) (i32.const 4))
          (then (v128.store (local.get $yp) (local.get $acc)))
          (else
            (if (i32.ge_u (local.get $ohw) (i32.const 2))
              (then (v128.store64_lane 0 (local.get $yp) (local.get $acc)))
              (else (v128.store32_lane 0 (local.get $yp) (local.get $acc))))
            (if (i32.eq (local.get $ohw) (i32.const 3))
              (then (v128.store32_lane offset=8 2 (local.get $yp) (local.get $acc))))))
        (local.set $xp (i32.add (local.get $xp) (local.get $xstep)))
        (local.set $yp (i32.add (local.get $yp) (local.get $ystep)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $bl)))
      (local.set $oc (i32.add (local.get $oc) (i32.const 1)))
      (br $ocl))))

  ;; Stride 2, 3×3, padding 1, dilation 1 on an even-sized plane whose width is a multiple of 8
  ;; (MobileNet's 16×16 and 8×8 downsampling layers): here interleaving four channels would cost
  ;; as much as the taps (four input pixels an output), so these run on the NCHW planes directly,
  ;; one channel at a time, SIMD over four output columns: an input row strip of 8 floats splits
  ;; into its even columns E (tap kx = 1), odd columns O (kx = 2) and odd columns shifted by one S
  ;; (kx = 0, the first strip's left neighbour being the padding). Each input row is split once:
  ;; row 2·oy + 1 serves output rows oy and oy + 1. Output channels [oc0, oc1), input oc / mult.
  (func $dw_s2_cols (param $x i32) (param $y i32) (param $w i32) (param $n i32) (param $oc0 i32) (param $oc1 i32) (param $mult i32)
                    (param $h i32) (param $wd i32) (param $xstep i32) (param $ystep i32)
    (local $oc i32) (local $b i32) (local $xp i32) (local $yp i32) (local $j i32) (local $oy i32) (local $oh i32) (local $ow i32)
    (local $row i32) (local $out i32) (local $rb i32) (local $obytes i32) (local $first i32)
    (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128) (local $w4 v128) (local $w5 v128) (local $w6 v128) (local $w7 v128) (local $w8 v128)
    (local $a v128) (local $bb v128) (local $c v128) (local $e v128) (local $o v128) (local $sft v128)
    (local $pe v128) (local $po v128) (local $ps v128) (local $acc v128)
    (local.set $oh (i32.shr_u (local.get $h) (i32.const 1)))
    (local.set $ow (i32.shr_u (local.get $wd) (i32.const 1)))
    (local.set $rb (i32.shl (local.get $wd) (i32.const 2)))
    (local.set $obytes (i32.shl (local.get $ow) (i32.const 2)))
    (local.set $oc (local.get $oc0))
    (block $ocdone (loop $ocl
      (br_if $ocdone (i32.ge_u (local.get $oc) (local.get $oc1)))
      (local.set $xp (i32.add (local.get $w) (i32.mul (local.get $oc) (i32.const 36))))
      (local.set $w0 (v128.load32_splat offset=0 (local.get $xp)))  (local.set $w1 (v128.load32_splat offset=4 (local.get $xp)))
      (local.set $w2 (v128.load32_splat offset=8 (local.get $xp)))  (local.set $w3 (v128.load32_splat offset=12 (local.get $xp)))
      (local.set $w4 (v128.load32_splat offset=16 (local.get $xp))) (local.set $w5 (v128.load32_splat offset=20 (local.get $xp)))
      (local.set $w6 (v128.load32_splat offset=24 (local.get $xp))) (local.set $w7 (v128.load32_splat offset=28 (local.get $xp)))
      (local.set $w8 (v128.load32_splat offset=32 (local.get $xp)))
      (local.set $xp (i32.add (local.get $x) (i32.mul (i32.div_u (local.get $oc) (local.get $mult)) (i32.mul (local.get $h) (local.get $rb)))))
      (local.set $yp (i32.add (local.get $y) (i32.mul (local.get $oc) (i32.mul (local.get $oh) (local.get $obytes)))))
      (local.set $b (i32.const 0))
      (block $bdone (loop $bl
        (br_if $bdone (i32.ge_u (local.get $b) (local.get $n)))
        (local.set $j (i32.const 0))
        (loop $jl
          ;; the strip of input columns [8j, 8j + 8) → output columns [4j, 4j + 4)
          (local.set $first (i32.eqz (local.get $j)))
          (local.set $pe (v128.const i32x4 0 0 0 0)) (local.set $po (v128.const i32x4 0 0 0 0)) (local.set $ps (v128.const i32x4 0 0 0 0))
          (local.set $row (i32.add (local.get $xp) (i32.shl (local.get $j) (i32.const 5))))
          (local.set $out (i32.add (local.get $yp) (i32.shl (local.get $j) (i32.const 4))))
          (local.set $oy (i32.const 0))
          (loop $oyl
            ;; row 2·oy: taps ky = 1
            (local.set $a (v128.load offset=0 (local.get $row)))
            (local.set $bb (v128.load offset=16 (local.get $row)))
            (local.set $c (select (v128.const i32x4 0 0 0 0) (v128.load offset=0 (i32.sub (local.get $row) (i32.mul (i32.const 16) (i32.eqz (local.get $first))))) (local.get $first)))
            (local.set $e (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a) (local.get $bb)))
            (local.set $o (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a) (local.get $bb)))
            (local.set $sft (i8x16.shuffle 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 (local.get $c) (local.get $o)))
            (local.set $acc (f32x4.mul (local.get $ps) (local.get $w0)))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $pe) (local.get $w1))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $po) (local.get $w2))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $sft) (local.get $w3))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $e) (local.get $w4))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $o) (local.get $w5))))
            ;; row 2·oy + 1: taps ky = 2, and ky = 0 of the next output row
            (local.set $row (i32.add (local.get $row) (local.get $rb)))
            (local.set $a (v128.load offset=0 (local.get $row)))
            (local.set $bb (v128.load offset=16 (local.get $row)))
            (local.set $c (select (v128.const i32x4 0 0 0 0) (v128.load offset=0 (i32.sub (local.get $row) (i32.mul (i32.const 16) (i32.eqz (local.get $first))))) (local.get $first)))
            (local.set $pe (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a) (local.get $bb)))
            (local.set $po (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a) (local.get $bb)))
            (local.set $ps (i8x16.shuffle 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 (local.get $c) (local.get $po)))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $ps) (local.get $w6))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $pe) (local.get $w7))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $po) (local.get $w8))))
            (v128.store (local.get $out) (local.get $acc))
            (local.set $row (i32.add (local.get $row) (local.get $rb)))
            (local.set $out (i32.add (local.get $out) (local.get $obytes)))
            (br_if $oyl (i32.lt_u (local.tee $oy (i32.add (local.get $oy) (i32.const 1))) (local.get $oh))))
          (br_if $jl (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (i32.shr_u (local.get $wd) (i32.const 3)))))
        (local.set $xp (i32.add (local.get $xp) (local.get $xstep)))
        (local.set $yp (i32.add (local.get $yp) (local.get $ystep)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $bl)))
      (local.set $oc (i32.add (local.get $oc) (i32.const 1)))
      (br $ocl))))

  ;; The same layer on a 4×4 plane (2×2 outputs: MobileNet's 4×4 downsampling layer): the four
  ;; outputs of a channel are one vector, and each tap's four input pixels are picked out of two of
  ;; the plane's rows r0..r3 with one shuffle (a zero vector stands for the padding row; the
  ;; padding column is masked off).
  (func $dw_s2_4x4 (param $x i32) (param $y i32) (param $w i32) (param $n i32) (param $oc0 i32) (param $oc1 i32) (param $mult i32)
                   (param $xstep i32) (param $ystep i32)
    (local $oc i32) (local $b i32) (local $xp i32) (local $yp i32)
    (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128) (local $w4 v128) (local $w5 v128) (local $w6 v128) (local $w7 v128) (local $w8 v128)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $acc v128)
    (local.set $oc (local.get $oc0))
    (block $ocdone (loop $ocl
      (br_if $ocdone (i32.ge_u (local.get $oc) (local.get $oc1)))
      (local.set $xp (i32.add (local.get $w) (i32.mul (local.get $oc) (i32.const 36))))
      (local.set $w0 (v128.load32_splat offset=0 (local.get $xp)))  (local.set $w1 (v128.load32_splat offset=4 (local.get $xp)))
      (local.set $w2 (v128.load32_splat offset=8 (local.get $xp)))  (local.set $w3 (v128.load32_splat offset=12 (local.get $xp)))
      (local.set $w4 (v128.load32_splat offset=16 (local.get $xp))) (local.set $w5 (v128.load32_splat offset=20 (local.get $xp)))
      (local.set $w6 (v128.load32_splat offset=24 (local.get $xp))) (local.set $w7 (v128.load32_splat offset=28 (local.get $xp)))
      (local.set $w8 (v128.load32_splat offset=32 (local.get $xp)))
      (local.set $xp (i32.add (local.get $x) (i32.shl (i32.div_u (local.get $oc) (local.get $mult)) (i32.const 6))))
      (local.set $yp (i32.add (local.get $y) (i32.shl (local.get $oc) (i32.const 4))))
      (local.set $b (i32.const 0))
      (block $bdone (loop $bl
        (br_if $bdone (i32.ge_u (local.get $b) (local.get $n)))
        (local.set $r0 (v128.load offset=0 (local.get $xp)))
        (local.set $r1 (v128.load offset=16 (local.get $xp)))
        (local.set $r2 (v128.load offset=32 (local.get $xp)))
        (local.set $r3 (v128.load offset=48 (local.get $xp)))
        ;; output lane 2·oy + ox reads input (2·oy - 1 + ky, 2·ox - 1 + kx); ky = 0: rows (pad, r1)
        (local.set $acc (f32x4.mul (local.get $w0) (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 20 21 22 23 (v128.const i32x4 0 0 0 0) (local.get $r1))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w1) (i8x16.shuffle 0 1 2 3 0 1 2 3 16 17 18 19 24 25 26 27 (v128.const i32x4 0 0 0 0) (local.get $r1)))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w2) (i8x16.shuffle 0 1 2 3 0 1 2 3 20 21 22 23 28 29 30 31 (v128.const i32x4 0 0 0 0) (local.get $r1)))))
        ;; ky = 1: rows (r0, r2)
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w3) (v128.and (v128.const i32x4 0 -1 0 -1)
          (i8x16.shuffle 4 5 6 7 4 5 6 7 20 21 22 23 20 21 22 23 (local.get $r0) (local.get $r2))))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w4) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $r0) (local.get $r2)))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w5) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $r0) (local.get $r2)))))
        ;; ky = 2: rows (r1, r3)
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w6) (v128.and (v128.const i32x4 0 -1 0 -1)
          (i8x16.shuffle 4 5 6 7 4 5 6 7 20 21 22 23 20 21 22 23 (local.get $r1) (local.get $r3))))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w7) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $r1) (local.get $r3)))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w8) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $r1) (local.get $r3)))))
        (v128.store (local.get $yp) (local.get $acc))
        (local.set $xp (i32.add (local.get $xp) (local.get $xstep)))
        (local.set $yp (i32.add (local.get $yp) (local.get $ystep)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $bl)))
      (local.set $oc (i32.add (local.get $oc) (i32.const 1)))
      (br $ocl))))

  ;; Stride 1, 3×3, padding 1, dilation 1 on planes whose width is a multiple of 4, on the NCHW
  ;; planes directly: one channel at a time, SIMD over four output columns, each input row's
  ;; vector shifted by a column either way (with its neighbours, or the padding at the row's ends)
  ;; for taps kx = 0 and 2. No interleaving, and rows and columns of the padding are never read.
  ;; With flip = 1 the kernel is turned 180° (tap t takes weight 8 - t): the input gradient of this
  ;; layer at multiplier 1 (dx = dy correlated with the turned kernel; x → dy, y → dx).
  (func $dw_s1_cols (param $x i32) (param $y i32) (param $w i32) (param $n i32) (param $oc0 i32) (param $oc1 i32) (param $mult i32)
                    (param $h i32) (param $wd i32) (param $xstep i32) (param $ystep i32) (param $flip i32)
    (local $oc i32) (local $b i32) (local $xp i32) (local $yp i32) (local $j i32) (local $oy i32) (local $iy i32) (local $p i32)
    (local $rb i32) (local $chunks i32) (local $first i32) (local $last i32) (local $out i32)
    (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128) (local $w4 v128) (local $w5 v128) (local $w6 v128) (local $w7 v128) (local $w8 v128)
    (local $cur v128) (local $lft v128) (local $rgt v128) (local $acc v128)
    (local.set $rb (i32.shl (local.get $wd) (i32.const 2)))
    (local.set $chunks (i32.shr_u (local.get $wd) (i32.const 2)))
    (local.set $oc (local.get $oc0))
    (block $ocdone (loop $ocl
      (br_if $ocdone (i32.ge_u (local.get $oc) (local.get $oc1)))
      (local.set $xp (i32.add (local.get $w) (i32.mul (local.get $oc) (i32.const 36))))
      (local.set $w0 (v128.load32_splat offset=0 (local.get $xp)))  (local.set $w1 (v128.load32_splat offset=4 (local.get $xp)))
      (local.set $w2 (v128.load32_splat offset=8 (local.get $xp)))  (local.set $w3 (v128.load32_splat offset=12 (local.get $xp)))
      (local.set $w4 (v128.load32_splat offset=16 (local.get $xp))) (local.set $w5 (v128.load32_splat offset=20 (local.get $xp)))
      (local.set $w6 (v128.load32_splat offset=24 (local.get $xp))) (local.set $w7 (v128.load32_splat offset=28 (local.get $xp)))
      (local.set $w8 (v128.load32_splat offset=32 (local.get $xp)))
      (if (local.get $flip) (then
        (local.set $acc (local.get $w0)) (local.set $w0 (local.get $w8)) (local.set $w8 (local.get $acc))
        (local.set $acc (local.get $w1)) (local.set $w1 (local.get $w7)) (local.set $w7 (local.get $acc))
        (local.set $acc (local.get $w2)) (local.set $w2 (local.get $w6)) (local.set $w6 (local.get $acc))
        (local.set $acc (local.get $w3)) (local.set $w3 (local.get $w5)) (local.set $w5 (local.get $acc))))
      (local.set $xp (i32.add (local.get $x) (i32.mul (i32.div_u (local.get $oc) (local.get $mult)) (i32.mul (local.get $h) (local.get $rb)))))
      (local.set $yp (i32.add (local.get $y) (i32.mul (local.get $oc) (i32.mul (local.get $h) (local.get $rb)))))
      (local.set $b (i32.const 0))
      (block $bdone (loop $bl
        (br_if $bdone (i32.ge_u (local.get $b) (local.get $n)))
        (local.set $out (local.get $yp))
        (local.set $oy (i32.const 0))
        (loop $oyl
          (local.set $j (i32.const 0))
          (loop $jl
            (local.set $first (i32.eqz (local.get $j)))
            (local.set $last (i32.eq (i32.add (local.get $j) (i32.const 1)) (local.get $chunks)))
            (local.set $acc (v128.const i32x4 0 0 0 0))
          ;; ky = 0: input row oy + -1
          (local.set $iy (i32.sub (local.get $oy) (i32.const 1)))
          (if (i32.lt_u (local.get $iy) (local.get $h)) (then
            (local.set $p (i32.add (i32.add (local.get $xp) (i32.mul (local.get $iy) (local.get $rb))) (i32.shl (local.get $j) (i32.const 4))))
            (local.set $cur (v128.load (local.get $p)))
            (local.set $lft (select (v128.const i32x4 0 0 0 0) (v128.load (i32.sub (local.get $p) (select (i32.const 0) (i32.const 16) (local.get $first)))) (local.get $first)))
            (local.set $rgt (select (v128.const i32x4 0 0 0 0) (v128.load (i32.add (local.get $p) (select (i32.const 0) (i32.const 16) (local.get $last)))) (local.get $last)))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w0) (i8x16.shuffle 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 (local.get $lft) (local.get $cur)))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w1) (local.get $cur))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w2) (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $cur) (local.get $rgt)))))))
          ;; ky = 1: input row oy + 0
          (local.set $iy (i32.add (local.get $oy) (i32.const 0)))
          (if (i32.lt_u (local.get $iy) (local.get $h)) (then
            (local.set $p (i32.add (i32.add (local.get $xp) (i32.mul (local.get $iy) (local.get $rb))) (i32.shl (local.get $j) (i32.const 4))))
            (local.set $cur (v128.load (local.get $p)))
            (local.set $lft (select (v128.const i32x4 0 0 0 0) (v128.load (i32.sub (local.get $p) (select (i32.const 0) (i32.const 16) (local.get $first)))) (local.get $first)))
            (local.set $rgt (select (v128.const i32x4 0 0 0 0) (v128.load (i32.add (local.get $p) (select (i32.const 0) (i32.const 16) (local.get $last)))) (local.get $last)))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w3) (i8x16.shuffle 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 (local.get $lft) (local.get $cur)))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w4) (local.get $cur))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w5) (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $cur) (local.get $rgt)))))))
          ;; ky = 2: input row oy + 1
          (local.set $iy (i32.add (local.get $oy) (i32.const 1)))
          (if (i32.lt_u (local.get $iy) (local.get $h)) (then
            (local.set $p (i32.add (i32.add (local.get $xp) (i32.mul (local.get $iy) (local.get $rb))) (i32.shl (local.get $j) (i32.const 4))))
            (local.set $cur (v128.load (local.get $p)))
            (local.set $lft (select (v128.const i32x4 0 0 0 0) (v128.load (i32.sub (local.get $p) (select (i32.const 0) (i32.const 16) (local.get $first)))) (local.get $first)))
            (local.set $rgt (select (v128.const i32x4 0 0 0 0) (v128.load (i32.add (local.get $p) (select (i32.const 0) (i32.const 16) (local.get $last)))) (local.get $last)))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w6) (i8x16.shuffle 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 (local.get $lft) (local.get $cur)))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w7) (local.get $cur))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w8) (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $cur) (local.get $rgt)))))))
            (v128.store (local.get $out) (local.get $acc))
            (local.set $out (i32.add (local.get $out) (i32.const 16)))
            (br_if $jl (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $chunks))))
          (br_if $oyl (i32.lt_u (local.tee $oy (i32.add (local.get $oy) (i32.const 1))) (local.get $h))))
        (local.set $xp (i32.add (local.get $xp) (local.get $xstep)))
        (local.set $yp (i32.add (local.get $yp) (local.get $ystep)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $bl)))
      (local.set $oc (i32.add (local.get $oc) (i32.const 1)))
      (br $ocl))))

  ;; The four lanes of v summed: (v0 + v2) + (v1 + v3).
  (func $dw_hsum (param $v v128) (result f32)
    (local.set $v (f32x4.add (local.get $v) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
    (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v))))

  ;; The filter gradient of the layer $dw_s1_cols serves, on the NCHW planes: per channel and
  ;; image, nine vector sums (one a tap, lanes over output columns) of dy times the shifted input
  ;; rows, each summed across in float32 at the image's end, then over the images in float64.
  (func $dw_bfil_s1_cols (param $x i32) (param $dy i32) (param $dwo i32) (param $n i32) (param $oc0 i32) (param $oc1 i32) (param $mult i32)
                         (param $h i32) (param $wd i32) (param $xstep i32) (param $ystep i32)
    (local $oc i32) (local $b i32) (local $xp i32) (local $yp i32) (local $j i32) (local $oy i32) (local $iy i32) (local $p i32)
    (local $rb i32) (local $chunks i32) (local $first i32) (local $last i32) (local $q i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128) (local $a8 v128)
    (local $s0 f64) (local $s1 f64) (local $s2 f64) (local $s3 f64) (local $s4 f64) (local $s5 f64) (local $s6 f64) (local $s7 f64) (local $s8 f64)
    (local $cur v128) (local $lft v128) (local $rgt v128) (local $g v128)
    (local.set $rb (i32.shl (local.get $wd) (i32.const 2)))
    (local.set $chunks (i32.shr_u (local.get $wd) (i32.const 2)))
    (local.set $oc (local.get $oc0))
    (block $ocdone (loop $ocl
      (br_if $ocdone (i32.ge_u (local.get $oc) (local.get $oc1)))
      (local.set $s0 (f64.const 0)) (local.set $s1 (f64.const 0)) (local.set $s2 (f64.const 0))
      (local.set $s3 (f64.const 0)) (local.set $s4 (f64.const 0)) (local.set $s5 (f64.const 0))
      (local.set $s6 (f64.const 0)) (local.set $s7 (f64.const 0)) (local.set $s8 (f64.const 0))
      (local.set $xp (i32.add (local.get $x) (i32.mul (i32.div_u (local.get $oc) (local.get $mult)) (i32.mul (local.get $h) (local.get $rb)))))
      (local.set $yp (i32.add (local.get $dy) (i32.mul (local.get $oc) (i32.mul (local.get $h) (local.get $rb)))))
      (local.set $b (i32.const 0))
      (block $bdone (loop $bl
        (br_if $bdone (i32.ge_u (local.get $b) (local.get $n)))
        (local.set $a0 (v128.const i32x4 0 0 0 0)) (local.set $a1 (v128.const i32x4 0 0 0 0)) (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0)) (local.set $a4 (v128.const i32x4 0 0 0 0)) (local.set $a5 (v128.const i32x4 0 0 0 0))
        (local.set $a6 (v128.const i32x4 0 0 0 0)) (local.set $a7 (v128.const i32x4 0 0 0 0)) (local.set $a8 (v128.const i32x4 0 0 0 0))
        (local.set $q (local.get $yp))
        (local.set $oy (i32.const 0))
        (loop $oyl
          (local.set $j (i32.const 0))
          (loop $jl
            (local.set $first (i32.eqz (local.get $j)))
            (local.set $last (i32.eq (i32.add (local.get $j) (i32.const 1)) (local.get $chunks)))
            (local.set $g (v128.load (local.get $q)))
          ;; ky = 0: input row oy + -1
          (local.set $iy (i32.sub (i32.add (local.get $oy) (i32.const 0)) (i32.const 1)))
          (if (i32.lt_u (local.get $iy) (local.get $h)) (then
            (local.set $p (i32.add (i32.add (local.get $xp) (i32.mul (local.get $iy) (local.get $rb))) (i32.shl (local.get $j) (i32.const 4))))
            (local.set $cur (v128.load (local.get $p)))
            (local.set $lft (select (v128.const i32x4 0 0 0 0) (v128.load (i32.sub (local.get $p) (select (i32.const 0) (i32.const 16) (local.get $first)))) (local.get $first)))
            (local.set $rgt (select (v128.const i32x4 0 0 0 0) (v128.load (i32.add (local.get $p) (select (i32.const 0) (i32.const 16) (local.get $last)))) (local.get $last)))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $g) (i8x16.shuffle 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 (local.get $lft) (local.get $cur)))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $g) (local.get $cur))))
            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $g) (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $cur) (local.get $rgt)))))))
          ;; ky = 1: input row oy + 0
          (local.set $iy (i32.sub (i32.add (local.get $oy) (i32.const 1)) (i32.const 1)))
          (if (i32.lt_u (local.get $iy) (local.get $h)) (then
            (local.set $p (i32.add (i32.add (local.get $xp) (i32.mul (local.get $iy) (local.get $rb))) (i32.shl (local.get $j) (i32.const 4))))
            (local.set $cur (v128.load (local.get $p)))
            (local.set $lft (select (v128.const i32x4 0 0 0 0) (v128.load (i32.sub (local.get $p) (select (i32.const 0) (i32.const 16) (local.get $first)))) (local.get $first)))
            (local.set $rgt (select (v128.const i32x4 0 0 0 0) (v128.load (i32.add (local.get $p) (select (i32.const 0) (i32.const 16) (local.get $last)))) (local.get $last)))
            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $g) (i8x16.shuffle 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 (local.get $lft) (local.get $cur)))))
            (local.set $a4 (f32x4.add (local.get $a4) (f32x4.mul (local.get $g) (local.get $cur))))
            (local.set $a5 (f32x4.add (local.get $a5) (f32x4.mul (local.get $g) (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $cur) (local.get $rgt)))))))
          ;; ky = 2: input row oy + 1
          (local.set $iy (i32.sub (i32.add (local.get $oy) (i32.const 2)) (i32.const 1)))
          (if (i32.lt_u (local.get $iy) (local.get $h)) (then
            (local.set $p (i32.add (i32.add (local.get $xp) (i32.mul (local.get $iy) (local.get $rb))) (i32.shl (local.get $j) (i32.const 4))))
            (local.set $cur (v128.load (local.get $p)))
            (local.set $lft (select (v128.const i32x4 0 0 0 0) (v128.load (i32.sub (local.get $p) (select (i32.const 0) (i32.const 16) (local.get $first)))) (local.get $first)))
            (local.set $rgt (select (v128.const i32x4 0 0 0 0) (v128.load (i32.add (local.get $p) (select (i32.const 0) (i32.const 16) (local.get $last)))) (local.get $last)))
            (local.set $a6 (f32x4.add (local.get $a6) (f32x4.mul (local.get $g) (i8x16.shuffle 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 (local.get $lft) (local.get $cur)))))
            (local.set $a7 (f32x4.add (local.get $a7) (f32x4.mul (local.get $g) (local.get $cur))))
            (local.set $a8 (f32x4.add (local.get $a8) (f32x4.mul (local.get $g) (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 (local.get $cur) (local.get $rgt)))))))
            (local.set $q (i32.add (local.get $q) (i32.const 16)))
            (br_if $jl (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $chunks))))
          (br_if $oyl (i32.lt_u (local.tee $oy (i32.add (local.get $oy) (i32.const 1))) (local.get $h))))
        (local.set $s0 (f64.add (local.get $s0) (f64.promote_f32 (call $dw_hsum (local.get $a0)))))
        (local.set $s1 (f64.add (local.get $s1) (f64.promote_f32 (call $dw_hsum (local.get $a1)))))
        (local.set $s2 (f64.add (local.get $s2) (f64.promote_f32 (call $dw_hsum (local.get $a2)))))
        (local.set $s3 (f64.add (local.get $s3) (f64.promote_f32 (call $dw_hsum (local.get $a3)))))
        (local.set $s4 (f64.add (local.get $s4) (f64.promote_f32 (call $dw_hsum (local.get $a4)))))
        (local.set $s5 (f64.add (local.get $s5) (f64.promote_f32 (call $dw_hsum (local.get $a5)))))
        (local.set $s6 (f64.add (local.get $s6) (f64.promote_f32 (call $dw_hsum (local.get $a6)))))
        (local.set $s7 (f64.add (local.get $s7) (f64.promote_f32 (call $dw_hsum (local.get $a7)))))
        (local.set $s8 (f64.add (local.get $s8) (f64.promote_f32 (call $dw_hsum (local.get $a8)))))
        (local.set $xp (i32.add (local.get $xp) (local.get $xstep)))
        (local.set $yp (i32.add (local.get $yp) (local.get $ystep)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $bl)))
      (local.set $p (i32.add (local.get $dwo) (i32.mul (local.get $oc) (i32.const 36))))
      (f32.store offset=0 (local.get $p) (f32.demote_f64 (local.get $s0)))  (f32.store offset=4 (local.get $p) (f32.demote_f64 (local.get $s1)))
      (f32.store offset=8 (local.get $p) (f32.demote_f64 (local.get $s2)))  (f32.store offset=12 (local.get $p) (f32.demote_f64 (local.get $s3)))
      (f32.store offset=16 (local.get $p) (f32.demote_f64 (local.get $s4))) (f32.store offset=20 (local.get $p) (f32.demote_f64 (local.get $s5)))
      (f32.store offset=24 (local.get $p) (f32.demote_f64 (local.get $s6))) (f32.store offset=28 (local.get $p) (f32.demote_f64 (local.get $s7)))
      (f32.store offset=32 (local.get $p) (f32.demote_f64 (local.get $s8)))
      (local.set $oc (i32.add (local.get $oc) (i32.const 1)))
      (br $ocl))))

  ;; y = depthwise conv of x with w, for the output channel groups starting in [g0, g1) (g0 a multiple of 4).
  (func $dw_forward (param $x i32) (param $w i32) (param $y i32) (param $n i32) (param $c i32) (param $o i32)
                    (param $h i32) (param $wd i32) (param $oh i32) (param $ow i32) (param $kh i32) (param $kw i32)
                    (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32)
                    (param $table i32) (param $scratch i32) (param $g0 i32) (param $g1 i32)
    (local $mult i32) (local $kk i32) (local $hw i32) (local $ohw i32) (local $xs i32) (local $ys i32) (local $wv i32)
    (local $xstep i32) (local $ystep i32) (local $rb i32) (local $k3 i32) (local $d1 i32) (local $g i32) (local $b i32)
    (local $oc0 i32) (local $oc1 i32) (local $oc2 i32) (local $oc3 i32)
    (local $x0 i32) (local $x1 i32) (local $x2 i32) (local $x3 i32) (local $y0 i32) (local $y1 i32) (local $y2 i32) (local $y3 i32)
    (local $oy i32) (local $ox i32) (local $tr i32) (local $tc i32) (local $kylo i32) (local $kyhi i32) (local $kxlo i32) (local $kxhi i32)
    (local $base i32) (local $ky i32) (local $kx i32) (local $p i32) (local $q i32) (local $yp i32) (local $dw16 i32) (local $ip i32)
    (local $hp i32) (local $wp i32) (local $xsi i32) (local $pad3 i32) (local $s2 i32) (local $s1 i32)
    (local $acc v128) (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128) (local $w4 v128)
    (local $w5 v128) (local $w6 v128) (local $w7 v128) (local $w8 v128)
    (local.set $mult (i32.div_u (local.get $o) (local.get $c)))
    (local.set $kk (i32.mul (local.get $kh) (local.get $kw)))
    (local.set $hw (i32.mul (local.get $h) (local.get $wd)))
    (local.set $ohw (i32.mul (local.get $oh) (local.get $ow)))
    ;; the table's header: Hp, Wp, padH, padW, then the vectors xs spans
    (local.set $hp (i32.load offset=0 (local.get $table)))
    (local.set $wp (i32.load offset=4 (local.get $table)))
    (local.set $xs (local.get $scratch))
    (local.set $xsi (i32.add (local.get $xs) (i32.shl (i32.add (i32.mul (i32.load offset=8 (local.get $table)) (local.get $wp))
                                                                (i32.load offset=12 (local.get $table))) (i32.const 4))))
    (local.set $ys (i32.add (local.get $xs) (i32.shl (i32.load offset=16 (local.get $table)) (i32.const 4))))
    ;; s1: the NCHW stride-1 kernel's case ($dw_s1_cols)
    (local.set $s1 (i32.and
      (i32.and (i32.and (i32.eq (local.get $kh) (i32.const 3)) (i32.eq (local.get $kw) (i32.const 3)))
               (i32.and (i32.eq (local.get $dh) (i32.const 1)) (i32.eq (local.get $dw) (i32.const 1))))
      (i32.and (i32.and (i32.and (i32.eq (local.get $sh) (i32.const 1)) (i32.eq (local.get $sw) (i32.const 1)))
                        (i32.and (i32.eq (i32.load offset=8 (local.get $table)) (i32.const 1)) (i32.eq (i32.load offset=12 (local.get $table)) (i32.const 1))))
               (i32.eqz (i32.and (local.get $wd) (i32.const 3))))))
    ;; s2: the NCHW stride-2 kernels' cases ($dw_s2_cols, $dw_s2_4x4)
    (local.set $s2 (i32.and
      (i32.and (i32.and (i32.eq (local.get $kh) (i32.const 3)) (i32.eq (local.get $kw) (i32.const 3)))
               (i32.and (i32.eq (local.get $dh) (i32.const 1)) (i32.eq (local.get $dw) (i32.const 1))))
      (i32.and (i32.and (i32.and (i32.eq (local.get $sh) (i32.const 2)) (i32.eq (local.get $sw) (i32.const 2)))
                        (i32.and (i32.eq (i32.load offset=8 (local.get $table)) (i32.const 1)) (i32.eq (i32.load offset=12 (local.get $table)) (i32.const 1))))
               (i32.eqz (i32.and (local.get $h) (i32.const 1))))))
    (local.set $table (i32.add (local.get $table) (i32.const 32)))
    (local.set $wv (i32.add (local.get $ys) (i32.shl (local.get $ohw) (i32.const 4))))
    (local.set $xstep (i32.shl (i32.mul (local.get $c) (local.get $hw)) (i32.const 2)))
    (local.set $ystep (i32.shl (i32.mul (local.get $o) (local.get $ohw)) (i32.const 2)))
    (local.set $rb (i32.shl (local.get $wd) (i32.const 4)))
    (local.set $dw16 (i32.shl (local.get $dw) (i32.const 4)))
    (local.set $k3 (i32.and (i32.eq (local.get $kh) (i32.const 3)) (i32.eq (local.get $kw) (i32.const 3))))
    (local.set $d1 (i32.and (i32.eq (local.get $dh) (i32.const 1)) (i32.eq (local.get $dw) (i32.const 1))))
    (local.set $pad3 (i32.and (local.get $k3) (local.get $d1)))
    ;; the padded plane's border, or the zero vector after the plane that the indirection of
    ;; out-of-bounds taps points at: both stay zero (only the image's pixels are written)
    (if (local.get $pad3)
      (then (call $dw_zero (local.get $xs) (i32.mul (local.get $hp) (local.get $wp))))
      (else (v128.store (i32.add (local.get $xs) (i32.shl (local.get $hw) (i32.const 4))) (v128.const i32x4 0 0 0 0))))
    (local.set $g (local.get $g0))
    (block $gdone (loop $gl
      (br_if $gdone (i32.ge_u (local.get $g) (local.get $g1)))
      (if (i32.and (i32.and (i32.eq (local.get $hw) (i32.const 1)) (i32.eq (local.get $ohw) (i32.const 1)))
                   (i32.and (i32.eq (local.get $mult) (i32.const 1)) (i32.le_u (i32.add (local.get $g) (i32.const 4)) (local.get $o))))
        (then
          (call $dw_pointwise (i32.add (local.get $x) (i32.shl (local.get $g) (i32.const 2))) (i32.add (local.get $y) (i32.shl (local.get $g) (i32.const 2)))
            (call $dw_single_tap (local.get $w) (local.get $g) (local.get $kk) (local.get $table) (local.get $oh) (local.get $kw))
            (local.get $n) (local.get $xstep))
          (local.set $g (i32.add (local.get $g) (i32.const 4)))
          (br $gl)))
      (if (local.get $s1)
        (then
          (call $dw_s1_cols (local.get $x) (local.get $y) (local.get $w) (local.get $n)
            (local.get $g) (call $imin (i32.add (local.get $g) (i32.const 4)) (local.get $o)) (local.get $mult)
            (local.get $h) (local.get $wd) (local.get $xstep) (local.get $ystep) (i32.const 0))
          (local.set $g (i32.add (local.get $g) (i32.const 4)))
          (br $gl)))
      (if (i32.and (local.get $s2) (i32.and (i32.eq (local.get $h) (i32.const 4)) (i32.eq (local.get $wd) (i32.const 4))))
        (then
          (call $dw_s2_4x4 (local.get $x) (local.get $y) (local.get $w) (local.get $n)
            (local.get $g) (call $imin (i32.add (local.get $g) (i32.const 4)) (local.get $o)) (local.get $mult) (local.get $xstep) (local.get $ystep))
          (local.set $g (i32.add (local.get $g) (i32.const 4)))
          (br $gl)))
      (if (i32.and (local.get $s2) (i32.eqz (i32.and (local.get $wd) (i32.const 7))))
        (then
          (call $dw_s2_cols (local.get $x) (local.get $y) (local.get $w) (local.get $n)
            (local.get $g) (call $imin (i32.add (local.get $g) (i32.const 4)) (local.get $o)) (local.get $mult)
            (local.get $h) (local.get $wd) (local.get $xstep) (local.get $ystep))
          (local.set $g (i32.add (local.get $g) (i32.const 4)))
          (br $gl)))
      (if (i32.and (i32.eq (local.get $hw) (i32.const 4)) (i32.le_u (local.get $ohw) (i32.const 4)))
        (then
          (if (i32.and (i32.eq (local.get $ohw) (i32.const 1))
                       (i32.and (i32.eq (local.get $mult) (i32.const 1)) (i32.le_u (i32.add (local.get $g) (i32.const 4)) (local.get $o))))
            (then
              (call $dw_tiny_dot (i32.add (local.get $x) (i32.shl (local.get $g) (i32.const 4))) (i32.add (local.get $y) (i32.shl (local.get $g) (i32.const 2)))
                (i32.add (local.get $w) (i32.shl (i32.mul (local.get $g) (local.get $kk)) (i32.const 2)))
                (i32.add (local.get $table) (i32.shl (i32.add (i32.mul (i32.add (local.get $oh) (local.get $ow)) (i32.const 3))
                                                              (i32.shl (i32.add (local.get $kh) (local.get $kw)) (i32.const 1))) (i32.const 2)))
                (local.get $kk) (local.get $n) (local.get $xstep) (local.get $ystep) (local.get $wv)))
            (else
              (call $dw_tiny_mat (local.get $x) (local.get $y) (local.get $w)
                (i32.add (local.get $table) (i32.shl (i32.add (i32.mul (i32.add (local.get $oh) (local.get $ow)) (i32.const 3))
                                                              (i32.shl (i32.add (local.get $kh) (local.get $kw)) (i32.const 1))) (i32.const 2)))
                (local.get $kk) (local.get $n) (local.get $xstep) (local.get $ystep) (local.get $wv)
                (local.get $g) (call $imin (i32.add (local.get $g) (i32.const 4)) (local.get $o)) (local.get $mult) (local.get $ohw))))
          (local.set $g (i32.add (local.get $g) (i32.const 4)))
          (br $gl)))
      (local.set $oc0 (call $imin (local.get $g) (i32.sub (local.get $o) (i32.const 1))))
      (local.set $oc1 (call $imin (i32.add (local.get $g) (i32.const 1)) (i32.sub (local.get $o) (i32.const 1))))
      (local.set $oc2 (call $imin (i32.add (local.get $g) (i32.const 2)) (i32.sub (local.get $o) (i32.const 1))))
      (local.set $oc3 (call $imin (i32.add (local.get $g) (i32.const 3)) (i32.sub (local.get $o) (i32.const 1))))
      (local.set $x0 (i32.add (local.get $x) (i32.shl (i32.mul (i32.div_u (local.get $oc0) (local.get $mult)) (local.get $hw)) (i32.const 2))))
      (local.set $x1 (i32.add (local.get $x) (i32.shl (i32.mul (i32.div_u (local.get $oc1) (local.get $mult)) (local.get $hw)) (i32.const 2))))
      (local.set $x2 (i32.add (local.get $x) (i32.shl (i32.mul (i32.div_u (local.get $oc2) (local.get $mult)) (local.get $hw)) (i32.const 2))))
      (local.set $x3 (i32.add (local.get $x) (i32.shl (i32.mul (i32.div_u (local.get $oc3) (local.get $mult)) (local.get $hw)) (i32.const 2))))
      (local.set $y0 (i32.add (local.get $y) (i32.shl (i32.mul (local.get $oc0) (local.get $ohw)) (i32.const 2))))
      (local.set $y1 (i32.add (local.get $y) (i32.shl (i32.mul (local.get $oc1) (local.get $ohw)) (i32.const 2))))
      (local.set $y2 (i32.add (local.get $y) (i32.shl (i32.mul (local.get $oc2) (local.get $ohw)) (i32.const 2))))
      (local.set $y3 (i32.add (local.get $y) (i32.shl (i32.mul (local.get $oc3) (local.get $ohw)) (i32.const 2))))
      (call $dw_gather
        (i32.add (local.get $w) (i32.shl (i32.mul (local.get $oc0) (local.get $kk)) (i32.const 2)))
        (i32.add (local.get $w) (i32.shl (i32.mul (local.get $oc1) (local.get $kk)) (i32.const 2)))
        (i32.add (local.get $w) (i32.shl (i32.mul (local.get $oc2) (local.get $kk)) (i32.const 2)))
        (i32.add (local.get $w) (i32.shl (i32.mul (local.get $oc3) (local.get $kk)) (i32.const 2)))
        (local.get $wv) (local.get $kk))
      (if (local.get $k3) (then
        (local.set $w0 (v128.load offset=0 (local.get $wv)))   (local.set $w1 (v128.load offset=16 (local.get $wv)))
        (local.set $w2 (v128.load offset=32 (local.get $wv)))  (local.set $w3 (v128.load offset=48 (local.get $wv)))
        (local.set $w4 (v128.load offset=64 (local.get $wv)))  (local.set $w5 (v128.load offset=80 (local.get $wv)))
        (local.set $w6 (v128.load offset=96 (local.get $wv)))  (local.set $w7 (v128.load offset=112 (local.get $wv)))
        (local.set $w8 (v128.load offset=128 (local.get $wv)))))
      (local.set $b (i32.const 0))
      (block $bdone (loop $bl
        (br_if $bdone (i32.ge_u (local.get $b) (local.get $n)))
        (if (local.get $pad3) (then
          (call $dw_gather_rows (local.get $x0) (local.get $x1) (local.get $x2) (local.get $x3) (local.get $xsi) (local.get $h) (local.get $wd) (local.get $wp))
          (call $dw_fwd3 (local.get $xs) (local.get $ys) (local.get $oh) (local.get $ow) (local.get $sh) (local.get $sw) (local.get $wp)
            (local.get $w0) (local.get $w1) (local.get $w2) (local.get $w3) (local.get $w4) (local.get $w5) (local.get $w6) (local.get $w7) (local.get $w8))
          (local.set $oy (local.get $oh))) ;; skips the general walk below
        (else
          (call $dw_gather (local.get $x0) (local.get $x1) (local.get $x2) (local.get $x3) (local.get $xs) (local.get $hw))
          (local.set $oy (i32.const 0))))
        (local.set $yp (local.get $ys))
        (local.set $ip (i32.add (local.get $table) (i32.shl (i32.add (i32.mul (i32.add (local.get $oh) (local.get $ow)) (i32.const 3))
                                                                     (i32.shl (i32.add (local.get $kh) (local.get $kw)) (i32.const 1))) (i32.const 2))))
        (block $oydone (loop $oyl
          (br_if $oydone (i32.ge_u (local.get $oy) (local.get $oh)))
          (local.set $tr (i32.add (local.get $table) (i32.mul (local.get $oy) (i32.const 12))))
          (local.set $kylo (i32.load offset=0 (local.get $tr)))
          (local.set $kyhi (i32.load offset=4 (local.get $tr)))
          (local.set $tc (i32.add (local.get $table) (i32.mul (local.get $oh) (i32.const 12))))
          (local.set $ox (i32.const 0))
          (block $oxdone (loop $oxl
            (br_if $oxdone (i32.ge_u (local.get $ox) (local.get $ow)))
            (local.set $kxlo (i32.load offset=0 (local.get $tc)))
            (local.set $kxhi (i32.load offset=4 (local.get $tc)))
            ;; base: the window's top-left pixel iy0·W + ix0 (may lie in the padding: only in-bounds taps are read)
            (local.set $base (i32.add (i32.mul (i32.load offset=8 (local.get $tr)) (local.get $wd)) (i32.load offset=8 (local.get $tc))))
            (if (local.get $k3)
              (then
                (if (i32.and (local.get $d1)
                      (i32.and (i32.and (i32.eqz (local.get $kylo)) (i32.eq (local.get $kyhi) (i32.const 3)))
                               (i32.and (i32.eqz (local.get $kxlo)) (i32.eq (local.get $kxhi) (i32.const 3)))))
                  (then
                    ;; the whole window in bounds: nine taps at fixed offsets
                    (local.set $p (i32.add (local.get $xs) (i32.shl (local.get $base) (i32.const 4))))
                    (local.set $acc (f32x4.mul (v128.load offset=0 (local.get $p)) (local.get $w0)))
                    (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load offset=16 (local.get $p)) (local.get $w1))))
                    (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load offset=32 (local.get $p)) (local.get $w2))))
                    (local.set $p (i32.add (local.get $p) (local.get $rb)))
                    (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load offset=0 (local.get $p)) (local.get $w3))))
                    (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load offset=16 (local.get $p)) (local.get $w4))))
                    (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load offset=32 (local.get $p)) (local.get $w5))))
                    (local.set $p (i32.add (local.get $p) (local.get $rb)))
                    (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load offset=0 (local.get $p)) (local.get $w6))))
                    (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load offset=16 (local.get $p)) (local.get $w7))))
                    (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load offset=32 (local.get $p)) (local.get $w8)))))
                  (else
                    ;; a border window: each tap through the indirection, out-of-bounds ones read the zero vector
                    (local.set $acc (f32x4.mul (v128.load (i32.add (local.get $xs) (i32.load offset=0 (local.get $ip)))) (local.get $w0)))
                    (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load (i32.add (local.get $xs) (i32.load offset=4 (local.get $ip)))) (local.get $w1))))
                    (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load (i32.add (local.get $xs) (i32.load offset=8 (local.get $ip)))) (local.get $w2))))
                    (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load (i32.add (local.get $xs) (i32.load offset=12 (local.get $ip)))) (local.get $w3))))
                    (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load (i32.add (local.get $xs) (i32.load offset=16 (local.get $ip)))) (local.get $w4))))
                    (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load (i32.add (local.get $xs) (i32.load offset=20 (local.get $ip)))) (local.get $w5))))
                    (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load (i32.add (local.get $xs) (i32.load offset=24 (local.get $ip)))) (local.get $w6))))
                    (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load (i32.add (local.get $xs) (i32.load offset=28 (local.get $ip)))) (local.get $w7))))
                    (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load (i32.add (local.get $xs) (i32.load offset=32 (local.get $ip)))) (local.get $w8)))))))
              (else
                (local.set $acc (v128.const i32x4 0 0 0 0))
                (local.set $ky (local.get $kylo))
                (block $kydone (loop $kyl
                  (br_if $kydone (i32.ge_s (local.get $ky) (local.get $kyhi)))
                  (local.set $p (i32.add (local.get $xs) (i32.shl (i32.add (local.get $base)
                    (i32.add (i32.mul (i32.mul (local.get $ky) (local.get $dh)) (local.get $wd)) (i32.mul (local.get $kxlo) (local.get $dw)))) (i32.const 4))))
                  (local.set $q (i32.add (local.get $wv) (i32.shl (i32.add (i32.mul (local.get $ky) (local.get $kw)) (local.get $kxlo)) (i32.const 4))))
                  (local.set $kx (local.get $kxlo))
                  (block $kxdone (loop $kxl
                    (br_if $kxdone (i32.ge_s (local.get $kx) (local.get $kxhi)))
                    (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load (local.get $p)) (v128.load (local.get $q)))))
                    (local.set $p (i32.add (local.get $p) (local.get $dw16)))
                    (local.set $q (i32.add (local.get $q) (i32.const 16)))
                    (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
                    (br $kxl)))
                  (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
                  (br $kyl)))))
            (v128.store (local.get $yp) (local.get $acc))
            (local.set $yp (i32.add (local.get $yp) (i32.const 16)))
            (local.set $ip (i32.add (local.get $ip) (i32.shl (local.get $kk) (i32.const 2))))
            (local.set $tc (i32.add (local.get $tc) (i32.const 12)))
            (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
            (br $oxl)))
          (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
          (br $oyl)))
        (call $dw_scatter (local.get $ys) (local.get $y0) (local.get $y1) (local.get $y2) (local.get $y3) (local.get $ohw))
        (local.set $x0 (i32.add (local.get $x0) (local.get $xstep)))
        (local.set $x1 (i32.add (local.get $x1) (local.get $xstep)))
        (local.set $x2 (i32.add (local.get $x2) (local.get $xstep)))
        (local.set $x3 (i32.add (local.get $x3) (local.get $xstep)))
        (local.set $y0 (i32.add (local.get $y0) (local.get $ystep)))
        (local.set $y1 (i32.add (local.get $y1) (local.get $ystep)))
        (local.set $y2 (i32.add (local.get $y2) (local.get $ystep)))
        (local.set $y3 (i32.add (local.get $y3) (local.get $ystep)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $bl)))
      (local.set $g (i32.add (local.get $g) (i32.const 4)))
      (br $gl))))

  ;; dx from dy: for the input channel groups starting in [g0, g1), each output's vector times each
  ;; in-bounds tap's weights added into the scratch plane, then split back into dx. (Arguments as
  ;; $dw_forward, with x → dx and y → dy.)
  (func $dw_backward_input (param $dx i32) (param $w i32) (param $dy i32) (param $n i32) (param $c i32) (param $o i32)
                    (param $h i32) (param $wd i32) (param $oh i32) (param $ow i32) (param $kh i32) (param $kw i32)
                    (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32)
                    (param $table i32) (param $scratch i32) (param $g0 i32) (param $g1 i32)
    (local $mult i32) (local $kk i32) (local $hw i32) (local $ohw i32) (local $xs i32) (local $ys i32) (local $wv i32)
    (local $xstep i32) (local $ystep i32) (local $rb i32) (local $fast i32) (local $g i32) (local $b i32) (local $m i32)
    (local $c0 i32) (local $c1 i32) (local $c2 i32) (local $c3 i32) (local $wm i32) (local $ybase i32) (local $xbase i32)
    (local $oy i32) (local $ox i32) (local $tr i32) (local $tc i32) (local $kylo i32) (local $kyhi i32) (local $kxlo i32) (local $kxhi i32)
    (local $base i32) (local $ky i32) (local $kx i32) (local $p i32) (local $q i32) (local $yp i32) (local $dw16 i32) (local $ip i32) (local $k3 i32) (local $ind i32)
    (local $hp i32) (local $wp i32) (local $xsi i32)
    (local $v v128) (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128) (local $w4 v128)
    (local $w5 v128) (local $w6 v128) (local $w7 v128) (local $w8 v128)
    (local.set $mult (i32.div_u (local.get $o) (local.get $c)))
    (local.set $kk (i32.mul (local.get $kh) (local.get $kw)))
    (local.set $hw (i32.mul (local.get $h) (local.get $wd)))
    (local.set $ohw (i32.mul (local.get $oh) (local.get $ow)))
    (local.set $hp (i32.load offset=0 (local.get $table)))
    (local.set $wp (i32.load offset=4 (local.get $table)))
    (local.set $xs (local.get $scratch))
    (local.set $xsi (i32.add (local.get $xs) (i32.shl (i32.add (i32.mul (i32.load offset=8 (local.get $table)) (local.get $wp))
                                                                (i32.load offset=12 (local.get $table))) (i32.const 4))))
    (local.set $ys (i32.add (local.get $xs) (i32.shl (i32.load offset=16 (local.get $table)) (i32.const 4))))
    (local.set $table (i32.add (local.get $table) (i32.const 32)))
    (local.set $wv (i32.add (local.get $ys) (i32.shl (local.get $ohw) (i32.const 4))))
    (local.set $xstep (i32.shl (i32.mul (local.get $c) (local.get $hw)) (i32.const 2)))
    (local.set $ystep (i32.shl (i32.mul (local.get $o) (local.get $ohw)) (i32.const 2)))
    (local.set $rb (i32.shl (local.get $wd) (i32.const 4)))
    (local.set $dw16 (i32.shl (local.get $dw) (i32.const 4)))
    ;; k3: a 3×3 kernel with multiplier 1 (weights in registers); fast: also dilation 1 (the unrolled interior)
    (local.set $k3 (i32.and (i32.and (i32.eq (local.get $kh) (i32.const 3)) (i32.eq (local.get $kw) (i32.const 3)))
                            (i32.eq (local.get $mult) (i32.const 1))))
    (local.set $fast (i32.and (local.get $k3) (i32.and (i32.eq (local.get $dh) (i32.const 1)) (i32.eq (local.get $dw) (i32.const 1)))))
    (local.set $ind (i32.add (local.get $table) (i32.shl (i32.add (i32.mul (i32.add (local.get $oh) (local.get $ow)) (i32.const 3))
                                                                  (i32.shl (i32.add (local.get $kh) (local.get $kw)) (i32.const 1))) (i32.const 2))))
    (local.set $g (local.get $g0))
    (block $gdone (loop $gl
      (br_if $gdone (i32.ge_u (local.get $g) (local.get $g1)))
      ;; stride 1, 3×3, padding 1 at multiplier 1 on a plane of width 4k: the forward kernel with the turned weights
      (if (i32.and (i32.and (local.get $fast) (i32.eqz (i32.and (local.get $wd) (i32.const 3))))
            (i32.and (i32.and (i32.eq (local.get $sh) (i32.const 1)) (i32.eq (local.get $sw) (i32.const 1)))
                     (i32.and (i32.eq (local.get $hp) (i32.add (local.get $h) (i32.const 2))) (i32.eq (local.get $wp) (i32.add (local.get $wd) (i32.const 2))))))
        (then
          (call $dw_s1_cols (local.get $dy) (local.get $dx) (local.get $w) (local.get $n)
            (local.get $g) (call $imin (i32.add (local.get $g) (i32.const 4)) (local.get $c)) (i32.const 1)
            (local.get $h) (local.get $wd) (local.get $xstep) (local.get $ystep) (i32.const 1))
          (local.set $g (i32.add (local.get $g) (i32.const 4)))
          (br $gl)))
      (if (i32.and (i32.and (i32.eq (local.get $hw) (i32.const 1)) (i32.eq (local.get $ohw) (i32.const 1)))
                   (i32.and (i32.eq (local.get $mult) (i32.const 1)) (i32.le_u (i32.add (local.get $g) (i32.const 4)) (local.get $c))))
        (then
          (call $dw_pointwise (i32.add (local.get $dy) (i32.shl (local.get $g) (i32.const 2))) (i32.add (local.get $dx) (i32.shl (local.get $g) (i32.const 2)))
            (call $dw_single_tap (local.get $w) (local.get $g) (local.get $kk) (local.get $table) (local.get $oh) (local.get $kw))
            (local.get $n) (local.get $xstep))
          (local.set $g (i32.add (local.get $g) (i32.const 4)))
          (br $gl)))
      (local.set $c0 (call $imin (local.get $g) (i32.sub (local.get $c) (i32.const 1))))
      (local.set $c1 (call $imin (i32.add (local.get $g) (i32.const 1)) (i32.sub (local.get $c) (i32.const 1))))
      (local.set $c2 (call $imin (i32.add (local.get $g) (i32.const 2)) (i32.sub (local.get $c) (i32.const 1))))
      (local.set $c3 (call $imin (i32.add (local.get $g) (i32.const 3)) (i32.sub (local.get $c) (i32.const 1))))
      ;; wv[m] = the weights of output channels c_l·mult + m, tap by tap
      (local.set $m (i32.const 0))
      (loop $ml
        (call $dw_gather
          (i32.add (local.get $w) (i32.shl (i32.mul (i32.add (i32.mul (local.get $c0) (local.get $mult)) (local.get $m)) (local.get $kk)) (i32.const 2)))
          (i32.add (local.get $w) (i32.shl (i32.mul (i32.add (i32.mul (local.get $c1) (local.get $mult)) (local.get $m)) (local.get $kk)) (i32.const 2)))
          (i32.add (local.get $w) (i32.shl (i32.mul (i32.add (i32.mul (local.get $c2) (local.get $mult)) (local.get $m)) (local.get $kk)) (i32.const 2)))
          (i32.add (local.get $w) (i32.shl (i32.mul (i32.add (i32.mul (local.get $c3) (local.get $mult)) (local.get $m)) (local.get $kk)) (i32.const 2)))
          (i32.add (local.get $wv) (i32.shl (i32.mul (local.get $m) (local.get $kk)) (i32.const 4))) (local.get $kk))
        (br_if $ml (i32.lt_u (local.tee $m (i32.add (local.get $m) (i32.const 1))) (local.get $mult))))
      (if (local.get $k3) (then
        (local.set $w0 (v128.load offset=0 (local.get $wv)))   (local.set $w1 (v128.load offset=16 (local.get $wv)))
        (local.set $w2 (v128.load offset=32 (local.get $wv)))  (local.set $w3 (v128.load offset=48 (local.get $wv)))
        (local.set $w4 (v128.load offset=64 (local.get $wv)))  (local.set $w5 (v128.load offset=80 (local.get $wv)))
        (local.set $w6 (v128.load offset=96 (local.get $wv)))  (local.set $w7 (v128.load offset=112 (local.get $wv)))
        (local.set $w8 (v128.load offset=128 (local.get $wv)))))
      (local.set $b (i32.const 0))
      (block $bdone (loop $bl
        (br_if $bdone (i32.ge_u (local.get $b) (local.get $n)))
        ;; fast: the padded plane, zeroed whole (the scatter adds into its border too)
        (call $dw_zero (local.get $xs) (select (i32.mul (local.get $hp) (local.get $wp)) (local.get $hw) (local.get $fast)))
        (local.set $m (i32.const 0))
        (loop $ml2
          (local.set $ybase (i32.add (local.get $dy) (i32.mul (local.get $b) (local.get $ystep))))
          (call $dw_gather
            (i32.add (local.get $ybase) (i32.shl (i32.mul (i32.add (i32.mul (local.get $c0) (local.get $mult)) (local.get $m)) (local.get $ohw)) (i32.const 2)))
            (i32.add (local.get $ybase) (i32.shl (i32.mul (i32.add (i32.mul (local.get $c1) (local.get $mult)) (local.get $m)) (local.get $ohw)) (i32.const 2)))
            (i32.add (local.get $ybase) (i32.shl (i32.mul (i32.add (i32.mul (local.get $c2) (local.get $mult)) (local.get $m)) (local.get $ohw)) (i32.const 2)))
            (i32.add (local.get $ybase) (i32.shl (i32.mul (i32.add (i32.mul (local.get $c3) (local.get $mult)) (local.get $m)) (local.get $ohw)) (i32.const 2)))
            (local.get $ys) (local.get $ohw))
          (local.set $wm (i32.add (local.get $wv) (i32.shl (i32.mul (local.get $m) (local.get $kk)) (i32.const 4))))
          (local.set $yp (local.get $ys))
          (local.set $ip (local.get $ind))
          (local.set $oy (i32.const 0))
          (if (local.get $fast) (then
            (call $dw_bin3 (local.get $xs) (local.get $ys) (local.get $oh) (local.get $ow) (local.get $sh) (local.get $sw) (local.get $wp)
              (local.get $w0) (local.get $w1) (local.get $w2) (local.get $w3) (local.get $w4) (local.get $w5) (local.get $w6) (local.get $w7) (local.get $w8))
            (local.set $oy (local.get $oh)))) ;; skips the general walk below
          (block $oydone (loop $oyl
            (br_if $oydone (i32.ge_u (local.get $oy) (local.get $oh)))
            (local.set $tr (i32.add (local.get $table) (i32.mul (local.get $oy) (i32.const 12))))
            (local.set $kylo (i32.load offset=0 (local.get $tr)))
            (local.set $kyhi (i32.load offset=4 (local.get $tr)))
            (local.set $tc (i32.add (local.get $table) (i32.mul (local.get $oh) (i32.const 12))))
            (local.set $ox (i32.const 0))
            (block $oxdone (loop $oxl
              (br_if $oxdone (i32.ge_u (local.get $ox) (local.get $ow)))
              (local.set $kxlo (i32.load offset=0 (local.get $tc)))
              (local.set $kxhi (i32.load offset=4 (local.get $tc)))
              (local.set $base (i32.add (i32.mul (i32.load offset=8 (local.get $tr)) (local.get $wd)) (i32.load offset=8 (local.get $tc))))
              (local.set $v (v128.load (local.get $yp)))
              (if (i32.and (local.get $fast)
                    (i32.and (i32.and (i32.eqz (local.get $kylo)) (i32.eq (local.get $kyhi) (i32.const 3)))
                             (i32.and (i32.eqz (local.get $kxlo)) (i32.eq (local.get $kxhi) (i32.const 3)))))
                (then
                  (local.set $p (i32.add (local.get $xs) (i32.shl (local.get $base) (i32.const 4))))
                  (v128.store offset=0 (local.get $p) (f32x4.add (v128.load offset=0 (local.get $p)) (f32x4.mul (local.get $v) (local.get $w0))))
                  (v128.store offset=16 (local.get $p) (f32x4.add (v128.load offset=16 (local.get $p)) (f32x4.mul (local.get $v) (local.get $w1))))
                  (v128.store offset=32 (local.get $p) (f32x4.add (v128.load offset=32 (local.get $p)) (f32x4.mul (local.get $v) (local.get $w2))))
                  (local.set $p (i32.add (local.get $p) (local.get $rb)))
                  (v128.store offset=0 (local.get $p) (f32x4.add (v128.load offset=0 (local.get $p)) (f32x4.mul (local.get $v) (local.get $w3))))
                  (v128.store offset=16 (local.get $p) (f32x4.add (v128.load offset=16 (local.get $p)) (f32x4.mul (local.get $v) (local.get $w4))))
                  (v128.store offset=32 (local.get $p) (f32x4.add (v128.load offset=32 (local.get $p)) (f32x4.mul (local.get $v) (local.get $w5))))
                  (local.set $p (i32.add (local.get $p) (local.get $rb)))
                  (v128.store offset=0 (local.get $p) (f32x4.add (v128.load offset=0 (local.get $p)) (f32x4.mul (local.get $v) (local.get $w6))))
                  (v128.store offset=16 (local.get $p) (f32x4.add (v128.load offset=16 (local.get $p)) (f32x4.mul (local.get $v) (local.get $w7))))
                  (v128.store offset=32 (local.get $p) (f32x4.add (v128.load offset=32 (local.get $p)) (f32x4.mul (local.get $v) (local.get $w8)))))
                (else (if (local.get $k3)
                (then
                  ;; a border window: each tap through the indirection, out-of-bounds ones into the spare vector
                  (local.set $p (i32.add (local.get $xs) (i32.load offset=0 (local.get $ip))))
                  (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p)) (f32x4.mul (local.get $v) (local.get $w0))))
                  (local.set $p (i32.add (local.get $xs) (i32.load offset=4 (local.get $ip))))
                  (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p)) (f32x4.mul (local.get $v) (local.get $w1))))
                  (local.set $p (i32.add (local.get $xs) (i32.load offset=8 (local.get $ip))))
                  (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p)) (f32x4.mul (local.get $v) (local.get $w2))))
                  (local.set $p (i32.add (local.get $xs) (i32.load offset=12 (local.get $ip))))
                  (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p)) (f32x4.mul (local.get $v) (local.get $w3))))
                  (local.set $p (i32.add (local.get $xs) (i32.load offset=16 (local.get $ip))))
                  (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p)) (f32x4.mul (local.get $v) (local.get $w4))))
                  (local.set $p (i32.add (local.get $xs) (i32.load offset=20 (local.get $ip))))
                  (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p)) (f32x4.mul (local.get $v) (local.get $w5))))
                  (local.set $p (i32.add (local.get $xs) (i32.load offset=24 (local.get $ip))))
                  (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p)) (f32x4.mul (local.get $v) (local.get $w6))))
                  (local.set $p (i32.add (local.get $xs) (i32.load offset=28 (local.get $ip))))
                  (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p)) (f32x4.mul (local.get $v) (local.get $w7))))
                  (local.set $p (i32.add (local.get $xs) (i32.load offset=32 (local.get $ip))))
                  (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p)) (f32x4.mul (local.get $v) (local.get $w8)))))
                (else
                  (local.set $ky (local.get $kylo))
                  (block $kydone (loop $kyl
                    (br_if $kydone (i32.ge_s (local.get $ky) (local.get $kyhi)))
                    (local.set $p (i32.add (local.get $xs) (i32.shl (i32.add (local.get $base)
                      (i32.add (i32.mul (i32.mul (local.get $ky) (local.get $dh)) (local.get $wd)) (i32.mul (local.get $kxlo) (local.get $dw)))) (i32.const 4))))
                    (local.set $q (i32.add (local.get $wm) (i32.shl (i32.add (i32.mul (local.get $ky) (local.get $kw)) (local.get $kxlo)) (i32.const 4))))
                    (local.set $kx (local.get $kxlo))
                    (block $kxdone (loop $kxl
                      (br_if $kxdone (i32.ge_s (local.get $kx) (local.get $kxhi)))
                      (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p)) (f32x4.mul (local.get $v) (v128.load (local.get $q)))))
                      (local.set $p (i32.add (local.get $p) (local.get $dw16)))
                      (local.set $q (i32.add (local.get $q) (i32.const 16)))
                      (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
                      (br $kxl)))
                    (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
                    (br $kyl)))))))
              (local.set $yp (i32.add (local.get $yp) (i32.const 16)))
              (local.set $ip (i32.add (local.get $ip) (i32.shl (local.get $kk) (i32.const 2))))
              (local.set $tc (i32.add (local.get $tc) (i32.const 12)))
              (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
              (br $oxl)))
            (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
            (br $oyl)))
          (br_if $ml2 (i32.lt_u (local.tee $m (i32.add (local.get $m) (i32.const 1))) (local.get $mult))))
        (local.set $xbase (i32.add (local.get $dx) (i32.mul (local.get $b) (local.get $xstep))))
        (if (local.get $fast)
          (then
            (call $dw_scatter_rows (local.get $xsi)
              (i32.add (local.get $xbase) (i32.shl (i32.mul (local.get $c0) (local.get $hw)) (i32.const 2)))
              (i32.add (local.get $xbase) (i32.shl (i32.mul (local.get $c1) (local.get $hw)) (i32.const 2)))
              (i32.add (local.get $xbase) (i32.shl (i32.mul (local.get $c2) (local.get $hw)) (i32.const 2)))
              (i32.add (local.get $xbase) (i32.shl (i32.mul (local.get $c3) (local.get $hw)) (i32.const 2)))
              (local.get $h) (local.get $wd) (local.get $wp)))
          (else
            (call $dw_scatter (local.get $xs)
              (i32.add (local.get $xbase) (i32.shl (i32.mul (local.get $c0) (local.get $hw)) (i32.const 2)))
              (i32.add (local.get $xbase) (i32.shl (i32.mul (local.get $c1) (local.get $hw)) (i32.const 2)))
              (i32.add (local.get $xbase) (i32.shl (i32.mul (local.get $c2) (local.get $hw)) (i32.const 2)))
              (i32.add (local.get $xbase) (i32.shl (i32.mul (local.get $c3) (local.get $hw)) (i32.const 2)))
              (local.get $hw))))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $bl)))
      (local.set $g (i32.add (local.get $g) (i32.const 4)))
      (br $gl))))

  ;; dw: for the output channel groups starting in [g0, g1), each tap's dot product of dy with the
  ;; pixels it read, over the rectangle of outputs whose tap is in bounds, in float32 per image,
  ;; then summed over the images in float64 (as depthwise.ts accumulates). (Arguments as $dw_forward.)
  (func $dw_backward_filter (param $x i32) (param $dy i32) (param $dwo i32) (param $n i32) (param $c i32) (param $o i32)
                    (param $h i32) (param $wd i32) (param $oh i32) (param $ow i32) (param $kh i32) (param $kw i32)
                    (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32)
                    (param $table i32) (param $scratch i32) (param $g0 i32) (param $g1 i32)
    (local $mult i32) (local $kk i32) (local $hw i32) (local $ohw i32) (local $xs i32) (local $ys i32) (local $wv i32) (local $a64 i32)
    (local $xstep i32) (local $ystep i32) (local $g i32) (local $b i32)
    (local $oc0 i32) (local $oc1 i32) (local $oc2 i32) (local $oc3 i32)
    (local $x0 i32) (local $x1 i32) (local $x2 i32) (local $x3 i32)
    (local $d0 i32) (local $d1 i32) (local $d2 i32) (local $d3 i32)
    (local $tk i32) (local $ky i32) (local $kx i32) (local $oylo i32) (local $oyhi i32) (local $oxlo i32) (local $oxhi i32)
    (local $oy i32) (local $ix i32) (local $p i32) (local $q i32) (local $qe i32) (local $sw16 i32) (local $a i32) (local $t i32)
    (local $s1 i32) (local $acc v128)
    (local.set $mult (i32.div_u (local.get $o) (local.get $c)))
    (local.set $kk (i32.mul (local.get $kh) (local.get $kw)))
    (local.set $hw (i32.mul (local.get $h) (local.get $wd)))
    (local.set $ohw (i32.mul (local.get $oh) (local.get $ow)))
    ;; s1: the layer $dw_s1_cols serves (3×3, stride 1, padding 1, dilation 1, width 4k)
    (local.set $s1 (i32.and
      (i32.and (i32.and (i32.eq (local.get $kh) (i32.const 3)) (i32.eq (local.get $kw) (i32.const 3)))
               (i32.and (i32.eq (local.get $dh) (i32.const 1)) (i32.eq (local.get $dw) (i32.const 1))))
      (i32.and (i32.and (i32.and (i32.eq (local.get $sh) (i32.const 1)) (i32.eq (local.get $sw) (i32.const 1)))
                        (i32.and (i32.eq (i32.load offset=8 (local.get $table)) (i32.const 1)) (i32.eq (i32.load offset=12 (local.get $table)) (i32.const 1))))
               ;; from width 8: on 4×4 planes the nine sums across at each image's end cost more than they save
               (i32.and (i32.eqz (i32.and (local.get $wd) (i32.const 3))) (i32.ge_u (local.get $wd) (i32.const 8))))))
    (local.set $xs (local.get $scratch))
    (local.set $ys (i32.add (local.get $xs) (i32.shl (i32.load offset=16 (local.get $table)) (i32.const 4))))
    (local.set $table (i32.add (local.get $table) (i32.const 32)))
    (local.set $wv (i32.add (local.get $ys) (i32.shl (local.get $ohw) (i32.const 4))))
    (local.set $a64 (i32.add (local.get $wv) (i32.shl (i32.mul (local.get $kk) (local.get $mult)) (i32.const 4))))
    (local.set $xstep (i32.shl (i32.mul (local.get $c) (local.get $hw)) (i32.const 2)))
    (local.set $ystep (i32.shl (i32.mul (local.get $o) (local.get $ohw)) (i32.const 2)))
    (local.set $sw16 (i32.shl (local.get $sw) (i32.const 4)))
    (local.set $tk (i32.add (local.get $table) (i32.mul (i32.add (local.get $oh) (local.get $ow)) (i32.const 12))))
    (local.set $g (local.get $g0))
    (block $gdone (loop $gl
      (br_if $gdone (i32.ge_u (local.get $g) (local.get $g1)))
      (if (local.get $s1)
        (then
          (call $dw_bfil_s1_cols (local.get $x) (local.get $dy) (local.get $dwo) (local.get $n)
            (local.get $g) (call $imin (i32.add (local.get $g) (i32.const 4)) (local.get $o)) (local.get $mult)
            (local.get $h) (local.get $wd) (local.get $xstep) (local.get $ystep))
          (local.set $g (i32.add (local.get $g) (i32.const 4)))
          (br $gl)))
      (local.set $oc0 (call $imin (local.get $g) (i32.sub (local.get $o) (i32.const 1))))
      (local.set $oc1 (call $imin (i32.add (local.get $g) (i32.const 1)) (i32.sub (local.get $o) (i32.const 1))))
      (local.set $oc2 (call $imin (i32.add (local.get $g) (i32.const 2)) (i32.sub (local.get $o) (i32.const 1))))
      (local.set $oc3 (call $imin (i32.add (local.get $g) (i32.const 3)) (i32.sub (local.get $o) (i32.const 1))))
      (local.set $x0 (i32.add (local.get $x) (i32.shl (i32.mul (i32.div_u (local.get $oc0) (local.get $mult)) (local.get $hw)) (i32.const 2))))
      (local.set $x1 (i32.add (local.get $x) (i32.shl (i32.mul (i32.div_u (local.get $oc1) (local.get $mult)) (local.get $hw)) (i32.const 2))))
      (local.set $x2 (i32.add (local.get $x) (i32.shl (i32.mul (i32.div_u (local.get $oc2) (local.get $mult)) (local.get $hw)) (i32.const 2))))
      (local.set $x3 (i32.add (local.get $x) (i32.shl (i32.mul (i32.div_u (local.get $oc3) (local.get $mult)) (local.get $hw)) (i32.const 2))))
      (local.set $d0 (i32.add (local.get $dy) (i32.shl (i32.mul (local.get $oc0) (local.get $ohw)) (i32.const 2))))
      (local.set $d1 (i32.add (local.get $dy) (i32.shl (i32.mul (local.get $oc1) (local.get $ohw)) (i32.const 2))))
      (local.set $d2 (i32.add (local.get $dy) (i32.shl (i32.mul (local.get $oc2) (local.get $ohw)) (i32.const 2))))
      (local.set $d3 (i32.add (local.get $dy) (i32.shl (i32.mul (local.get $oc3) (local.get $ohw)) (i32.const 2))))
      (call $dw_zero (local.get $a64) (i32.shl (local.get $kk) (i32.const 1)))
      (local.set $b (i32.const 0))
      (block $bdone (loop $bl
        (br_if $bdone (i32.ge_u (local.get $b) (local.get $n)))
        (call $dw_gather (local.get $x0) (local.get $x1) (local.get $x2) (local.get $x3) (local.get $xs) (local.get $hw))
        (call $dw_gather (local.get $d0) (local.get $d1) (local.get $d2) (local.get $d3) (local.get $ys) (local.get $ohw))
        (local.set $a (local.get $a64))
        (local.set $ky (i32.const 0))
        (loop $kyl
          (local.set $oylo (i32.load offset=0 (i32.add (local.get $tk) (i32.shl (local.get $ky) (i32.const 3)))))
          (local.set $oyhi (i32.load offset=4 (i32.add (local.get $tk) (i32.shl (local.get $ky) (i32.const 3)))))
          (local.set $kx (i32.const 0))
          (loop $kxl
            (local.set $t (i32.add (local.get $tk) (i32.shl (i32.add (local.get $kh) (local.get $kx)) (i32.const 3))))
            (local.set $oxlo (i32.load offset=0 (local.get $t)))
            (local.set $oxhi (i32.load offset=4 (local.get $t)))
            (local.set $acc (v128.const i32x4 0 0 0 0))
            (if (i32.lt_s (local.get $oxlo) (local.get $oxhi)) (then
              ;; ix: the input column of output column oxLo's tap kx
              (local.set $ix (i32.add (i32.load offset=8 (i32.add (local.get $table) (i32.mul (i32.add (local.get $oh) (local.get $oxlo)) (i32.const 12))))
                                      (i32.mul (local.get $kx) (local.get $dw))))
              (local.set $oy (local.get $oylo))
              (block $oydone (loop $oyl
                (br_if $oydone (i32.ge_s (local.get $oy) (local.get $oyhi)))
                (local.set $p (i32.add (local.get $xs) (i32.shl (i32.add (i32.mul
                  (i32.add (i32.load offset=8 (i32.add (local.get $table) (i32.mul (local.get $oy) (i32.const 12)))) (i32.mul (local.get $ky) (local.get $dh)))
                  (local.get $wd)) (local.get $ix)) (i32.const 4))))
                (local.set $q (i32.add (local.get $ys) (i32.shl (i32.add (i32.mul (local.get $oy) (local.get $ow)) (local.get $oxlo)) (i32.const 4))))
                (local.set $qe (i32.add (local.get $q) (i32.shl (i32.sub (local.get $oxhi) (local.get $oxlo)) (i32.const 4))))
                (loop $oxl
                  (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load (local.get $q)) (v128.load (local.get $p)))))
                  (local.set $p (i32.add (local.get $p) (local.get $sw16)))
                  (br_if $oxl (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 16))) (local.get $qe))))
                (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
                (br $oyl)))))
            (v128.store offset=0 (local.get $a) (f64x2.add (v128.load offset=0 (local.get $a)) (f64x2.promote_low_f32x4 (local.get $acc))))
            (v128.store offset=16 (local.get $a) (f64x2.add (v128.load offset=16 (local.get $a))
              (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $acc) (local.get $acc)))))
            (local.set $a (i32.add (local.get $a) (i32.const 32)))
            (br_if $kxl (i32.lt_u (local.tee $kx (i32.add (local.get $kx) (i32.const 1))) (local.get $kw))))
          (br_if $kyl (i32.lt_u (local.tee $ky (i32.add (local.get $ky) (i32.const 1))) (local.get $kh))))
        (local.set $x0 (i32.add (local.get $x0) (local.get $xstep)))
        (local.set $x1 (i32.add (local.get $x1) (local.get $xstep)))
        (local.set $x2 (i32.add (local.get $x2) (local.get $xstep)))
        (local.set $x3 (i32.add (local.get $x3) (local.get $xstep)))
        (local.set $d0 (i32.add (local.get $d0) (local.get $ystep)))
        (local.set $d1 (i32.add (local.get $d1) (local.get $ystep)))
        (local.set $d2 (i32.add (local.get $d2) (local.get $ystep)))
        (local.set $d3 (i32.add (local.get $d3) (local.get $ystep)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $bl)))
      ;; the sums back to float32, one vector a tap, then into the four weight rows
      (local.set $t (i32.const 0))
      (loop $tl
        (local.set $a (i32.add (local.get $a64) (i32.shl (local.get $t) (i32.const 5))))
        (v128.store (i32.add (local.get $wv) (i32.shl (local.get $t) (i32.const 4)))
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (f32x4.demote_f64x2_zero (v128.load offset=0 (local.get $a)))
            (f32x4.demote_f64x2_zero (v128.load offset=16 (local.get $a)))))
        (br_if $tl (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 1))) (local.get $kk))))
      (call $dw_scatter (local.get $wv)
        (i32.add (local.get $dwo) (i32.shl (i32.mul (local.get $oc0) (local.get $kk)) (i32.const 2)))
        (i32.add (local.get $dwo) (i32.shl (i32.mul (local.get $oc1) (local.get $kk)) (i32.const 2)))
        (i32.add (local.get $dwo) (i32.shl (i32.mul (local.get $oc2) (local.get $kk)) (i32.const 2)))
        (i32.add (local.get $dwo) (i32.shl (i32.mul (local.get $oc3) (local.get $kk)) (i32.const 2)))
        (local.get $kk))
      (local.set $g (i32.add (local.get $g) (i32.const 4)))
      (br $gl))))

  ;; Execute a program: commands of 16 i32 each, [opcode, args...], ending with opcode 0; an
  ;; opcode above 23 traps. The opcodes (OPCODES in threads.ts), by the function each calls:
  ;;   1 gemm   m n k a rsA csA b rsB csB c ldc acc scratch
  ;;   2 im2col x ch h w kh kw sh|sw ph|pw dh|dw oh ow col pitch  (a|b: two u16 in one int, a low)
  ;;   3 col2im the same arguments (im2col in reverse, adding)
  ;;   4 map    kind x out n a b                                 (a, b: f32 bits)
  ;;   5 zip    kind a sa0 sa1 sa2 b sb0 sb1 sb2 out d0 d1 d2
  ;;   6 rowsum x rows len out
  ;;   7 maxpool x planes h w kh kw sh sw oh ow out argmax
  ;;   8 maxpool_back dy argmax planes ohw hw dx
  ;;   9 adam   p g m v n lr b1 c1 b2 c2 eps bc1 bc2 l2 decay     (the last ten: f32 bits)
  ;;  10 gather a s0 s1 out t0 t1 d0 d1 d2
  ;;  11 bn_stats x n c s c0 c1 mean var acc
  ;;  12 bn_apply x y n c s c0 c1 mean scale shift
  ;;  13 bn_back dy x dx n c s c0 c1 mean rstd w dw db acc
  ;;  14 act    kind x g out n lo hi                               (lo, hi: f32 bits)
  ;;  15 dw_forward         x w y n C O h|w oh|ow kh|kw sh|sw dh|dw table scratch g0 g1
  ;;  16 dw_backward_input  dx w dy (then as dw_forward)
  ;;  17 dw_backward_filter x dy dw (then as dw_forward)
  ;;  18 softmax_rows x out rows n scale                        (scale: f32 bits)
  ;;  19 softmax_back_rows y g out rows n scale                 (scale: f32 bits)
  ;;  20 layernorm x w b out rows n eps flags                   (eps: f32 bits)
  ;;  21 gelu   kind x out n
  ;;  22 scatter_add src idx m pitch width out len
  ;;  23 masked_softmax_rows x out rows n scale mask moffs int  (scale: f32 bits)
  (func (export "run") (param $p i32)
    (local $op i32)
    (loop $next
      (local.set $op (i32.load (local.get $p)))
      (if (i32.gt_u (local.get $op) (i32.const 23)) (then unreachable))
      (if (i32.eq (local.get $op) (i32.const 1))
        (then
          (call $gemm
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (i32.load offset=20 (local.get $p)) (i32.load offset=24 (local.get $p))
            (i32.load offset=28 (local.get $p)) (i32.load offset=32 (local.get $p)) (i32.load offset=36 (local.get $p))
            (i32.load offset=40 (local.get $p)) (i32.load offset=44 (local.get $p)) (i32.load offset=48 (local.get $p))
            (i32.load offset=52 (local.get $p)))))
      (if (i32.or (i32.eq (local.get $op) (i32.const 2)) (i32.eq (local.get $op) (i32.const 3)))
        (then
          (call $im2col
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (i32.load offset=20 (local.get $p)) (i32.load offset=24 (local.get $p))
            (i32.load16_u offset=28 (local.get $p)) (i32.load16_u offset=30 (local.get $p))
            (i32.load16_u offset=32 (local.get $p)) (i32.load16_u offset=34 (local.get $p))
            (i32.load16_u offset=36 (local.get $p)) (i32.load16_u offset=38 (local.get $p))
            (i32.load offset=40 (local.get $p)) (i32.load offset=44 (local.get $p)) (i32.load offset=48 (local.get $p))
            (i32.load offset=52 (local.get $p))
            (i32.eq (local.get $op) (i32.const 3)))))
      (if (i32.eq (local.get $op) (i32.const 10))
        (then
          (call $gather
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (i32.load offset=20 (local.get $p)) (i32.load offset=24 (local.get $p))
            (i32.load offset=28 (local.get $p)) (i32.load offset=32 (local.get $p)) (i32.load offset=36 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 4))
        (then
          (call $map
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (f32.load offset=20 (local.get $p)) (f32.load offset=24 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 5))
        (then
          (call $zip
            (i32.load offset=4 (local.get $p))
            (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p)) (i32.load offset=16 (local.get $p)) (i32.load offset=20 (local.get $p))
            (i32.load offset=24 (local.get $p)) (i32.load offset=28 (local.get $p)) (i32.load offset=32 (local.get $p)) (i32.load offset=36 (local.get $p))
            (i32.load offset=40 (local.get $p)) (i32.load offset=44 (local.get $p)) (i32.load offset=48 (local.get $p)) (i32.load offset=52 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 6))
        (then
          (call $rowsum
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p)) (i32.load offset=16 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 7))
        (then
          (call $maxpool
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (i32.load offset=20 (local.get $p)) (i32.load offset=24 (local.get $p))
            (i32.load offset=28 (local.get $p)) (i32.load offset=32 (local.get $p)) (i32.load offset=36 (local.get $p))
            (i32.load offset=40 (local.get $p)) (i32.load offset=44 (local.get $p)) (i32.load offset=48 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 8))
        (then
          (call $maxpool_back
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (i32.load offset=20 (local.get $p)) (i32.load offset=24 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 9))
        (then
          (call $adam
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (i32.load offset=20 (local.get $p))
            (f32.load offset=24 (local.get $p)) (f32.load offset=28 (local.get $p)) (f32.load offset=32 (local.get $p))
            (f32.load offset=36 (local.get $p)) (f32.load offset=40 (local.get $p)) (f32.load offset=44 (local.get $p))
            (f32.load offset=48 (local.get $p)) (f32.load offset=52 (local.get $p)) (f32.load offset=56 (local.get $p))
            (f32.load offset=60 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 11))
        (then
          (call $bn_stats
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (i32.load offset=20 (local.get $p)) (i32.load offset=24 (local.get $p))
            (i32.load offset=28 (local.get $p)) (i32.load offset=32 (local.get $p)) (i32.load offset=36 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 12))
        (then
          (call $bn_apply
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (i32.load offset=20 (local.get $p)) (i32.load offset=24 (local.get $p))
            (i32.load offset=28 (local.get $p)) (i32.load offset=32 (local.get $p)) (i32.load offset=36 (local.get $p))
            (i32.load offset=40 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 13))
        (then
          (call $bn_back
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (i32.load offset=20 (local.get $p)) (i32.load offset=24 (local.get $p))
            (i32.load offset=28 (local.get $p)) (i32.load offset=32 (local.get $p)) (i32.load offset=36 (local.get $p))
            (i32.load offset=40 (local.get $p)) (i32.load offset=44 (local.get $p)) (i32.load offset=48 (local.get $p))
            (i32.load offset=52 (local.get $p)) (i32.load offset=56 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 14))
        (then
          (call $act
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (i32.load offset=20 (local.get $p))
            (f32.load offset=24 (local.get $p)) (f32.load offset=28 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 15))
        (then
          (call $dw_forward
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (i32.load offset=20 (local.get $p)) (i32.load offset=24 (local.get $p))
            (i32.load16_u offset=28 (local.get $p)) (i32.load16_u offset=30 (local.get $p))
            (i32.load16_u offset=32 (local.get $p)) (i32.load16_u offset=34 (local.get $p))
            (i32.load16_u offset=36 (local.get $p)) (i32.load16_u offset=38 (local.get $p))
            (i32.load16_u offset=40 (local.get $p)) (i32.load16_u offset=42 (local.get $p))
            (i32.load16_u offset=44 (local.get $p)) (i32.load16_u offset=46 (local.get $p))
            (i32.load offset=48 (local.get $p)) (i32.load offset=52 (local.get $p)) (i32.load offset=56 (local.get $p))
            (i32.load offset=60 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 16))
        (then
          (call $dw_backward_input
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (i32.load offset=20 (local.get $p)) (i32.load offset=24 (local.get $p))
            (i32.load16_u offset=28 (local.get $p)) (i32.load16_u offset=30 (local.get $p))
            (i32.load16_u offset=32 (local.get $p)) (i32.load16_u offset=34 (local.get $p))
            (i32.load16_u offset=36 (local.get $p)) (i32.load16_u offset=38 (local.get $p))
            (i32.load16_u offset=40 (local.get $p)) (i32.load16_u offset=42 (local.get $p))
            (i32.load16_u offset=44 (local.get $p)) (i32.load16_u offset=46 (local.get $p))
            (i32.load offset=48 (local.get $p)) (i32.load offset=52 (local.get $p)) (i32.load offset=56 (local.get $p))
            (i32.load offset=60 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 17))
        (then
          (call $dw_backward_filter
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (i32.load offset=20 (local.get $p)) (i32.load offset=24 (local.get $p))
            (i32.load16_u offset=28 (local.get $p)) (i32.load16_u offset=30 (local.get $p))
            (i32.load16_u offset=32 (local.get $p)) (i32.load16_u offset=34 (local.get $p))
            (i32.load16_u offset=36 (local.get $p)) (i32.load16_u offset=38 (local.get $p))
            (i32.load16_u offset=40 (local.get $p)) (i32.load16_u offset=42 (local.get $p))
            (i32.load16_u offset=44 (local.get $p)) (i32.load16_u offset=46 (local.get $p))
            (i32.load offset=48 (local.get $p)) (i32.load offset=52 (local.get $p)) (i32.load offset=56 (local.get $p))
            (i32.load offset=60 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 18))
        (then
          (call $softmax_rows
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (f32.load offset=20 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 19))
        (then
          (call $softmax_back_rows
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (i32.load offset=20 (local.get $p)) (f32.load offset=24 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 20))
        (then
          (call $layernorm
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (i32.load offset=20 (local.get $p)) (i32.load offset=24 (local.get $p))
            (f32.load offset=28 (local.get $p)) (i32.load offset=32 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 21))
        (then
          (call $gelu
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 22))
        (then
          (call $scatter_add
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (i32.load offset=20 (local.get $p)) (i32.load offset=24 (local.get $p))
            (i32.load offset=28 (local.get $p)))))
      (if (i32.eq (local.get $op) (i32.const 23))
        (then
          (call $masked_softmax_rows
            (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p))
            (i32.load offset=16 (local.get $p)) (f32.load offset=20 (local.get $p)) (i32.load offset=24 (local.get $p))
            (i32.load offset=28 (local.get $p)) (i32.load offset=32 (local.get $p)))))
      (local.set $p (i32.add (local.get $p) (i32.const 64)))
      (br_if $next (local.get $op))))
)
