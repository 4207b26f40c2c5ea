package predictions

import (
	"errors"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// Logistic regression by iteratively reweighted least squares (Newton's
// method on the log-likelihood) with a small ridge penalty, on
// standardised features: the penalty keeps the coefficients finite when
// a planted or real signal separates the classes, and standardising makes
// a coefficient times a standardised value comparable across features
// (a factor's effect, in log-odds).

// ridge is the L2 penalty on the coefficients (not the intercept).
const ridge = 1.0

// maxIterations bounds Newton's steps; tolerance ends them early once no
// coefficient moves more than it.
const (
	maxIterations = 50
	tolerance     = 1e-8
)

// errSingular is a Hessian Cholesky cannot factor: it does not happen
// with the ridge penalty but for non-finite inputs.
var errSingular = errors.New("logistic regression: the Hessian is not positive definite")

// scaler standardises features: (x − mean) / sd, each over the rows it
// was fitted on; a feature constant there (sd 0) is 0 everywhere.
type scaler struct {
	Mean, SD []float64
}

// fitScaler returns the scaler of rows (each of d features).
func fitScaler(rows [][]float64, d int) scaler {
	s := scaler{Mean: make([]float64, d), SD: make([]float64, d)}
	if len(rows) == 0 {
		return s
	}
	n := float64(len(rows))
	for _, r := range rows {
		for j, v := range r {
			s.Mean[j] += v
		}
	}
	for j := range s.Mean {
		s.Mean[j] /= n
	}
	for _, r := range rows {
		for j, v := range r {
			dv := v - s.Mean[j]
			s.SD[j] += dv * dv
		}
	}
	for j := range s.SD {
		s.SD[j] = math.Sqrt(s.SD[j] / n)
	}
	return s
}

// z returns x standardised.
func (s scaler) z(x []float64) []float64 {
	out := make([]float64, len(x))
	for j, v := range x {
		if s.SD[j] > 0 {
			out[j] = (v - s.Mean[j]) / s.SD[j]
		}
	}
	return out
}

// all returns every row standardised.
func (s scaler) all(rows [][]float64) [][]float64 {
	out := make([][]float64, len(rows))
	for i, r := range rows {
		out[i] = s.z(r)
	}
	return out
}

// logit is a fitted logistic regression on standardised features.
type logit struct {
	Intercept float64
	Coef      []float64
}

// fitLogit fits P(y) = σ(b0 + b·z) to the standardised rows z and labels
// y by IRLS with the ridge penalty.
func fitLogit(z [][]float64, y []bool, d int) (logit, error) {
	k := d + 1 // the intercept first
	beta := make([]float64, k)
	grad := make([]float64, k)
	hess := mat.NewSymDense(k, nil)
	x := make([]float64, k)
	x[0] = 1
	for range maxIterations {
		clear(grad)
		hess.Zero()
		raw := hess.RawSymmetric().Data
		for i, row := range z {
			copy(x[1:], row)
			p := sigmoid(dot(beta, x))
			w := p * (1 - p)
			r := -p
			if y[i] {
				r = 1 - p
			}
			for a := range k {
				grad[a] += r * x[a]
				wa := w * x[a]
				// the upper triangle, row-major, stride k
				for b := a; b < k; b++ {
					raw[a*k+b] += wa * x[b]
				}
			}
		}
		for a := 1; a < k; a++ {
			grad[a] -= ridge * beta[a]
			raw[a*k+a] += ridge
		}
		raw[0] += 1e-9 // the intercept's curvature when every p is 0 or 1
		var chol mat.Cholesky
		if !chol.Factorize(hess) {
			return logit{}, errSingular
		}
		step := mat.NewVecDense(k, nil)
		if err := chol.SolveVecTo(step, mat.NewVecDense(k, grad)); err != nil {
			return logit{}, errSingular
		}
		moved := 0.0
		for a := range k {
			beta[a] += step.AtVec(a)
			moved = math.Max(moved, math.Abs(step.AtVec(a)))
		}
		if math.IsNaN(moved) {
			return logit{}, errSingular
		}
		if moved < tolerance {
			break
		}
	}
	return logit{Intercept: beta[0], Coef: beta[1:]}, nil
}

// prob returns the model's probability for the standardised row z.
func (m logit) prob(z []float64) float64 { return sigmoid(m.Intercept + dot(m.Coef, z)) }

// sigmoid is the logistic function.
func sigmoid(t float64) float64 { return 1 / (1 + math.Exp(-t)) }

// dot is the inner product of equally long a and b.
func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// auc is the area under the ROC curve of scores for labels y: the chance
// that a positive outscores a negative (ties half), by the rank sum
// (Mann–Whitney U) with tied scores given their average rank. NaN without
// both classes.
func auc(scores []float64, y []bool) float64 {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmpFloat(scores[a], scores[b]) })
	var pos, neg, rankSum float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && scores[idx[j]] == scores[idx[i]] {
			j++
		}
		rank := float64(i+j+1) / 2 // ranks i+1 … j, averaged
		for _, r := range idx[i:j] {
			if y[r] {
				pos++
				rankSum += rank
			} else {
				neg++
			}
		}
		i = j
	}
	if pos == 0 || neg == 0 {
		return math.NaN()
	}
	return (rankSum - pos*(pos+1)/2) / (pos * neg)
}

// cmpFloat orders a and b ascending.
func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
